/* PulseMQ — pipeline descriptions
 *
 *   description := chain ( chain )*
 *   chain       := item ( '!' item )*
 *   item        := element ( property )* | reference
 *   element     := WORD                      a factory name
 *   property    := WORD '=' WORD             typed by the GParamSpec
 *   reference   := WORD containing '.'       name. or name.pad
 *
 * A WORD runs until blank space, '!' or '='; single or double quotes make
 * those literal, and a backslash escapes the next character. Parsing
 * happens in three passes — tokens, syntax tree, then elements and links
 * — so a `name.` reference may come before the element it names. Every
 * error is fatal and knows its byte offset.
 */
#include "config.h"

#include <string.h>

#include <glib/gi18n-lib.h>

#include <pulsemq/pulsemq.h>
#include "pulse-private.h"

struct _PulseParseContext {
  GObject parent_instance;
  gchar *description;
  gssize error_offset;
  gsize error_length;
  gchar *error_text;
  gchar *hint;
};

G_DEFINE_FINAL_TYPE (PulseParseContext, pulse_parse_context, G_TYPE_OBJECT)

static void
pulse_parse_context_finalize (GObject *object)
{
  PulseParseContext *ctx = PULSE_PARSE_CONTEXT (object);

  g_free (ctx->description);
  g_free (ctx->error_text);
  g_free (ctx->hint);
  G_OBJECT_CLASS (pulse_parse_context_parent_class)->finalize (object);
}

static void
pulse_parse_context_class_init (PulseParseContextClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = pulse_parse_context_finalize;
}

static void
pulse_parse_context_init (PulseParseContext *ctx)
{
  ctx->error_offset = -1;
}

/**
 * pulse_parse_context_new:
 *
 * A context collects where and why pulse_parse_launch_full() failed, so
 * that a tool can point at the place.
 *
 * Returns: (transfer full): a new #PulseParseContext
 */
PulseParseContext *
pulse_parse_context_new (void)
{
  return g_object_new (PULSE_TYPE_PARSE_CONTEXT, NULL);
}

/**
 * pulse_parse_context_get_description:
 * @context: a #PulseParseContext
 *
 * Returns: (transfer none) (nullable): the text that was parsed; for
 * pulse_parse_launchv() the words joined into one description
 */
const gchar *
pulse_parse_context_get_description (PulseParseContext *context)
{
  g_return_val_if_fail (PULSE_IS_PARSE_CONTEXT (context), NULL);
  return context->description;
}

/**
 * pulse_parse_context_get_error_offset:
 * @context: a #PulseParseContext
 *
 * Returns: the byte offset of the error in the description, or -1
 */
gssize
pulse_parse_context_get_error_offset (PulseParseContext *context)
{
  g_return_val_if_fail (PULSE_IS_PARSE_CONTEXT (context), -1);
  return context->error_offset;
}

/**
 * pulse_parse_context_get_error_length:
 * @context: a #PulseParseContext
 *
 * Returns: how many bytes the offending text spans (at least 1 on error)
 */
gsize
pulse_parse_context_get_error_length (PulseParseContext *context)
{
  g_return_val_if_fail (PULSE_IS_PARSE_CONTEXT (context), 0);
  return context->error_length;
}

/**
 * pulse_parse_context_get_error_text:
 * @context: a #PulseParseContext
 *
 * Returns: (transfer none) (nullable): what is wrong, without position or hint
 */
const gchar *
pulse_parse_context_get_error_text (PulseParseContext *context)
{
  g_return_val_if_fail (PULSE_IS_PARSE_CONTEXT (context), NULL);
  return context->error_text;
}

/**
 * pulse_parse_context_get_hint:
 * @context: a #PulseParseContext
 *
 * Returns: (transfer none) (nullable): how to fix it: "did you mean …",
 * "put a serializer between them", …
 */
const gchar *
pulse_parse_context_get_hint (PulseParseContext *context)
{
  g_return_val_if_fail (PULSE_IS_PARSE_CONTEXT (context), NULL);
  return context->hint;
}

/* Columns as a terminal shows them: wide (CJK) characters take two. */
static gsize
display_width (const gchar *s, gsize bytes)
{
  const gchar *end = s + bytes;
  gsize w = 0;

  while (s < end && *s != '\0') {
    gunichar c = g_utf8_get_char_validated (s, end - s);
    if (c == (gunichar) -1 || c == (gunichar) -2) {
      w++;
      s++;
      continue;
    }
    w += g_unichar_iswide (c) ? 2 : 1;
    s = g_utf8_next_char (s);
  }
  return w;
}

/**
 * pulse_parse_context_format_error:
 * @context: a #PulseParseContext after a failed parse
 *
 * Shows the description with a caret under the offending place:
 * |[
 *   timer ! lz5
 *           ^~~
 * ]|
 *
 * Returns: (transfer full) (nullable): two lines, or %NULL if there is no
 * error position
 */
gchar *
pulse_parse_context_format_error (PulseParseContext *context)
{
  g_autofree gchar *line = NULL;
  GString *out;
  gsize offset, length, col, width;

  g_return_val_if_fail (PULSE_IS_PARSE_CONTEXT (context), NULL);
  if (context->error_offset < 0 || context->description == NULL)
    return NULL;

  line = g_strdup (context->description);
  for (gchar *p = line; *p != '\0'; p++)
    if (*p == '\n' || *p == '\t' || *p == '\r')
      *p = ' ';
  offset = MIN ((gsize) context->error_offset, strlen (line));
  length = MIN (MAX (context->error_length, 1), strlen (line) - offset + 1);
  col = display_width (line, offset);
  width = MAX (1, display_width (line + offset, MIN (length, strlen (line) - offset)));

  out = g_string_new ("  ");
  g_string_append (out, line);
  g_string_append (out, "\n  ");
  for (gsize i = 0; i < col; i++)
    g_string_append_c (out, ' ');
  g_string_append_c (out, '^');
  for (gsize i = 1; i < width; i++)
    g_string_append_c (out, '~');
  return g_string_free (out, FALSE);
}

/* ---- tokens ------------------------------------------------------------- */

typedef enum {
  TOK_WORD,
  TOK_BANG,
  TOK_EQ,
  TOK_END,
} TokType;

typedef struct {
  TokType type;
  gchar *text;      /* quotes and escapes removed */
  gsize offset;     /* in the description */
  gsize length;     /* in the description */
  gboolean has_dot; /* an unquoted '.' */
} Token;

typedef struct {
  const gchar *desc;
  PulseParseContext *ctx;
  GArray *tokens; /* of Token */
  guint pos;
  GPtrArray *nodes; /* of Node, owned */
  GArray *links;    /* of Link */
  PulsePipeline *pipeline;
} Parser;

static gboolean G_GNUC_PRINTF (7, 8) fail (Parser *p, GError **error, PulseParseError code,
    gsize offset, gsize length, const gchar *hint, const gchar *format, ...)
{
  g_autofree gchar *text = NULL;
  va_list args;

  va_start (args, format);
  text = g_strdup_vprintf (format, args);
  va_end (args);

  if (hint != NULL)
    g_set_error (error, PULSE_PARSE_ERROR, code, _ ("%s at byte %zu; %s"), text, offset, hint);
  else
    g_set_error (error, PULSE_PARSE_ERROR, code, _ ("%s at byte %zu"), text, offset);
  if (p->ctx != NULL) {
    p->ctx->error_offset = offset;
    p->ctx->error_length = MAX (length, 1);
    g_free (p->ctx->error_text);
    p->ctx->error_text = g_steal_pointer (&text);
    g_free (p->ctx->hint);
    p->ctx->hint = g_strdup (hint);
  }
  return FALSE;
}

static void
token_clear (Token *t)
{
  g_free (t->text);
}

static gboolean
lex (Parser *p, GError **error)
{
  const gchar *s = p->desc;
  gsize i = 0, n = strlen (s);

  while (TRUE) {
    Token t = { 0 };
    GString *word;

    while (i < n && g_ascii_isspace (s[i]))
      i++;
    t.offset = i;
    if (i == n) {
      t.type = TOK_END;
      g_array_append_val (p->tokens, t);
      return TRUE;
    }
    if (s[i] == '!' || s[i] == '=') {
      t.type = s[i] == '!' ? TOK_BANG : TOK_EQ;
      t.length = 1;
      t.text = g_strndup (s + i, 1);
      g_array_append_val (p->tokens, t);
      i++;
      continue;
    }

    word = g_string_new (NULL);
    while (i < n && !g_ascii_isspace (s[i]) && s[i] != '!' && s[i] != '=') {
      if (s[i] == '"' || s[i] == '\'') {
        gchar quote = s[i];
        gsize start = i++;
        while (i < n && s[i] != quote) {
          if (s[i] == '\\' && i + 1 < n)
            i++;
          g_string_append_c (word, s[i++]);
        }
        if (i == n) {
          g_string_free (word, TRUE);
          return fail (p, error, PULSE_PARSE_ERROR_SYNTAX, start, n - start,
              quote == '"' ? _ ("close it with \"") : _ ("close it with '"),
              _ ("unterminated quote"));
        }
        i++;
        continue;
      }
      if (s[i] == '\\') {
        if (i + 1 == n) {
          g_string_free (word, TRUE);
          return fail (p, error, PULSE_PARSE_ERROR_SYNTAX, i, 1, _ ("write \\\\ for a backslash"),
              _ ("backslash at the end of the description"));
        }
        i++;
      } else if (s[i] == '.') {
        t.has_dot = TRUE;
      }
      g_string_append_c (word, s[i++]);
    }
    t.type = TOK_WORD;
    t.length = i - t.offset;
    t.text = g_string_free (word, FALSE);
    g_array_append_val (p->tokens, t);
  }
}

/* ---- syntax tree -------------------------------------------------------- */

typedef struct {
  gchar *name;
  gsize offset, length;
  gchar *value;
  gsize value_offset, value_length;
} Prop;

typedef struct {
  gboolean is_ref;
  gchar *word; /* factory name, or the reference's element name */
  gchar *pad;  /* reference: the pad after the '.', or NULL */
  gsize offset, length;
  GArray *props;         /* of Prop */
  PulseElement *element; /* borrowed from the pipeline */
} Node;

typedef struct {
  Node *src;
  Node *sink;
  gsize bang_offset;
} Link;

static void
prop_clear (Prop *prop)
{
  g_free (prop->name);
  g_free (prop->value);
}

static void
node_free (Node *node)
{
  g_free (node->word);
  g_free (node->pad);
  if (node->props != NULL)
    g_array_unref (node->props);
  g_free (node);
}

static Token *
peek (Parser *p, guint ahead)
{
  guint i = MIN (p->pos + ahead, p->tokens->len - 1);
  return &g_array_index (p->tokens, Token, i);
}

static gchar *
empty_value_hint (const gchar *property)
{
  if (strcmp (property, "name") == 0)
    return g_strdup (_ ("leave name out for a default one"));
  return g_strdup_printf (_ ("give it a value, or quote an empty one: %s=\"\""), property);
}

static Node *
parse_item (Parser *p, GError **error)
{
  Token *t = peek (p, 0);
  Node *node;

  if (t->type == TOK_BANG) {
    fail (p, error, PULSE_PARSE_ERROR_SYNTAX, t->offset, 1,
        _ ("write an element before it, as in \"timer ! print\""),
        _ ("'!' must follow an element"));
    return NULL;
  }
  if (t->type == TOK_EQ) {
    fail (p, error, PULSE_PARSE_ERROR_SYNTAX, t->offset, 1,
        _ ("write property=value right after an element, as in \"timer interval=2\""),
        _ ("'=' without a property name"));
    return NULL;
  }
  if (t->type == TOK_END) {
    fail (p, error, PULSE_PARSE_ERROR_SYNTAX, t->offset, 1,
        _ ("end the chain with an element, e.g. \"! print\""), _ ("expected an element"));
    return NULL;
  }

  node = g_new0 (Node, 1);
  node->offset = t->offset;
  node->length = t->length;
  p->pos++;

  if (t->has_dot) {
    const gchar *dot = strchr (t->text, '.');
    node->is_ref = TRUE;
    node->word = g_strndup (t->text, dot - t->text);
    node->pad = dot[1] != '\0' ? g_strdup (dot + 1) : NULL;
    if (*node->word == '\0') {
      fail (p, error, PULSE_PARSE_ERROR_SYNTAX, t->offset, t->length,
          _ ("a reference is an element name followed by '.', as in \"t.\""),
          _ ("reference \"%s\" has no element name"), t->text);
      node_free (node);
      return NULL;
    }
    if (peek (p, 0)->type == TOK_WORD && peek (p, 1)->type == TOK_EQ) {
      fail (p, error, PULSE_PARSE_ERROR_SYNTAX, peek (p, 0)->offset, peek (p, 0)->length,
          _ ("set properties where the element is made, not on a reference"),
          _ ("a reference cannot have properties"));
      node_free (node);
      return NULL;
    }
    return node;
  }

  node->word = g_strdup (t->text);
  node->props = g_array_new (FALSE, TRUE, sizeof (Prop));
  g_array_set_clear_func (node->props, (GDestroyNotify) prop_clear);
  while (peek (p, 0)->type == TOK_WORD && peek (p, 1)->type == TOK_EQ) {
    Token *name = peek (p, 0), *eq = peek (p, 1), *value = peek (p, 2);
    Prop prop = { 0 };

    if (value->type != TOK_WORD) {
      g_autofree gchar *hint = empty_value_hint (name->text);
      fail (p, error, PULSE_PARSE_ERROR_SYNTAX, eq->offset + 1, 1, hint,
          _ ("property \"%s\" has no value"), name->text);
      node_free (node);
      return NULL;
    }
    if (value->offset != eq->offset + 1 && peek (p, 3)->type == TOK_EQ) {
      /* "a= b=c": the value went missing, and b is taken as one */
      g_autofree gchar *hint = empty_value_hint (name->text);
      fail (p, error, PULSE_PARSE_ERROR_SYNTAX, eq->offset + 1, 1, hint,
          _ ("property \"%s\" has no value"), name->text);
      node_free (node);
      return NULL;
    }
    prop.name = g_strdup (name->text);
    prop.offset = name->offset;
    prop.length = name->length;
    prop.value = g_strdup (value->text);
    prop.value_offset = value->offset;
    prop.value_length = value->length;
    g_array_append_val (node->props, prop);
    p->pos += 3;
    if (peek (p, 0)->type == TOK_EQ) {
      fail (p, error, PULSE_PARSE_ERROR_SYNTAX, peek (p, 0)->offset, 1,
          _ ("quote a value that holds '=': name=\"a=b\""),
          _ ("unexpected '=' after the value of \"%s\""), prop.name);
      node_free (node);
      return NULL;
    }
  }
  return node;
}

static gboolean
parse_chain (Parser *p, GError **error)
{
  Node *prev = parse_item (p, error);
  gboolean linked = FALSE;

  if (prev == NULL)
    return FALSE;
  g_ptr_array_add (p->nodes, prev);

  while (peek (p, 0)->type == TOK_BANG) {
    Token *bang = peek (p, 0);
    Link link;
    Node *next;

    p->pos++;
    if (peek (p, 0)->type == TOK_END) {
      return fail (p, error, PULSE_PARSE_ERROR_SYNTAX, bang->offset, 1,
          _ ("end the chain with an element, e.g. \"! print\""),
          _ ("expected an element after '!'"));
    }
    if (peek (p, 0)->type == TOK_BANG) {
      return fail (p, error, PULSE_PARSE_ERROR_SYNTAX, peek (p, 0)->offset, 1, _ ("remove one '!'"),
          _ ("two '!' in a row"));
    }
    next = parse_item (p, error);
    if (next == NULL)
      return FALSE;
    g_ptr_array_add (p->nodes, next);
    link.src = prev;
    link.sink = next;
    link.bang_offset = bang->offset;
    g_array_append_val (p->links, link);
    prev = next;
    linked = TRUE;
  }
  if (!linked && prev->is_ref)
    return fail (p, error, PULSE_PARSE_ERROR_SYNTAX, prev->offset, prev->length,
        _ ("link it: \"t. ! print\""), _ ("reference \"%s.\" is not linked to anything"),
        prev->word);
  return TRUE;
}

/* ---- elements ----------------------------------------------------------- */

static gchar *
suggest_property (GObjectClass *oclass, const gchar *name)
{
  guint n;
  g_autofree GParamSpec **pspecs = g_object_class_list_properties (oclass, &n);
  g_autoptr (GPtrArray) names = g_ptr_array_new ();

  for (guint i = 0; i < n; i++)
    if (pspecs[i]->flags & G_PARAM_WRITABLE)
      g_ptr_array_add (names, (gpointer) g_param_spec_get_name (pspecs[i]));
  g_ptr_array_add (names, NULL);
  return pulse_util_suggest (name, (const gchar *const *) names->pdata);
}

/* For "timer interval 2": the second word is no element, but it is a
 * property of the previous one missing its '='. */
static gboolean
is_property_of_previous (Parser *p, guint index, const gchar *word)
{
  Node *prev;

  if (index == 0)
    return FALSE;
  prev = g_ptr_array_index (p->nodes, index - 1);
  if (prev->is_ref || prev->element == NULL)
    return FALSE;
  return g_object_class_find_property (G_OBJECT_GET_CLASS (prev->element), word) != NULL;
}

static gboolean
make_element (Parser *p, guint index, GError **error)
{
  Node *node = g_ptr_array_index (p->nodes, index);
  PulseRegistry *registry = pulse_registry_get_default ();
  PulseElementFactory *factory;
  GObjectClass *oclass;
  g_autofree const gchar **names = NULL;
  GValue *values;
  guint n_props = 0;
  gboolean ok = TRUE;

  factory = pulse_registry_find_factory (registry, node->word);
  if (factory == NULL) {
    g_autofree gchar *suggestion = pulse_registry_suggest (registry, node->word);
    g_autofree gchar *hint = NULL;

    if (is_property_of_previous (p, index, node->word))
      hint = g_strdup_printf (
          _ ("\"%s\" is a property of the element before: write %s=VALUE"), node->word, node->word);
    else if (suggestion != NULL)
      hint = g_strdup_printf (_ ("did you mean \"%s\"?"), suggestion);
    else
      hint = g_strdup (_ ("pulse-inspect lists every element"));
    return fail (p, error, PULSE_PARSE_ERROR_NO_ELEMENT, node->offset, node->length, hint,
        _ ("no element \"%s\""), node->word);
  }

  oclass = g_type_class_ref (pulse_element_factory_get_element_type (factory));
  names = g_new0 (const gchar *, node->props->len + 1);
  values = g_new0 (GValue, node->props->len + 1);

  for (guint i = 0; i < node->props->len && ok; i++) {
    Prop *prop = &g_array_index (node->props, Prop, i);
    GParamSpec *pspec = g_object_class_find_property (oclass, prop->name);
    g_autoptr (GError) local = NULL;

    if (pspec == NULL || !(pspec->flags & G_PARAM_WRITABLE)) {
      g_autofree gchar *suggestion = suggest_property (oclass, prop->name);
      g_autofree gchar *hint = NULL;

      if (suggestion != NULL)
        hint = g_strdup_printf (_ ("did you mean \"%s\"?"), suggestion);
      else
        hint = g_strdup_printf (_ ("pulse-inspect %s lists its properties"), node->word);
      if (pspec != NULL)
        ok = fail (p, error, PULSE_PARSE_ERROR_NO_PROPERTY, prop->offset, prop->length,
            _ ("it can be read, not set"), _ ("property \"%s\" of %s is read-only"), prop->name,
            node->word);
      else
        ok = fail (p, error, PULSE_PARSE_ERROR_NO_PROPERTY, prop->offset, prop->length, hint,
            _ ("%s has no property \"%s\""), node->word, prop->name);
      break;
    }
    if (strcmp (g_param_spec_get_name (pspec), "name") == 0 && *prop->value == '\0') {
      ok = fail (p, error, PULSE_PARSE_ERROR_BAD_VALUE, prop->value_offset, prop->value_length,
          _ ("leave name out for a default one"), _ ("an element name cannot be empty"));
      break;
    }
    /* a property given twice: the last one counts, as on a command line */
    for (guint j = 0; j < n_props; j++) {
      if (strcmp (names[j], g_param_spec_get_name (pspec)) == 0) {
        g_value_unset (&values[j]);
        names[j] = names[n_props - 1];
        values[j] = values[n_props - 1];
        memset (&values[n_props - 1], 0, sizeof (GValue));
        n_props--;
        break;
      }
    }
    if (!pulse_value_from_string (pspec, prop->value, &values[n_props], &local)) {
      ok = fail (p, error, local->code, prop->value_offset, prop->value_length, NULL, "%s",
          local->message);
      break;
    }
    names[n_props++] = g_param_spec_get_name (pspec);
  }

  if (ok) {
    node->element = (PulseElement *) g_object_new_with_properties (
        pulse_element_factory_get_element_type (factory), n_props, names, values);
    g_object_ref_sink (node->element);

    for (guint i = 0; i < node->props->len && ok; i++) {
      Prop *prop = &g_array_index (node->props, Prop, i);
      GValue v = G_VALUE_INIT;
      g_autoptr (GError) local = NULL;

      GParamSpec *pspec = g_object_class_find_property (
          G_OBJECT_GET_CLASS (node->element), prop->name);

      if (pspec->flags & G_PARAM_READABLE) {
        g_object_get_property (G_OBJECT (node->element), prop->name, &v);
      } else {
        /* a secret (a password, a key) cannot be read back: check the value given */
        for (guint j = 0; j < n_props; j++)
          if (strcmp (names[j], g_param_spec_get_name (pspec)) == 0) {
            g_value_init (&v, G_VALUE_TYPE (&values[j]));
            g_value_copy (&values[j], &v);
          }
      }
      if (!pulse_element_validate_property (node->element, prop->name, &v, &local))
        ok = fail (p, error, PULSE_PARSE_ERROR_BAD_VALUE, prop->value_offset, prop->value_length,
            NULL, "%s", local->message);
      g_value_unset (&v);
    }

    if (ok && !pulse_pipeline_add (p->pipeline, node->element, NULL)) {
      /* only a taken name makes add fail here */
      gsize offset = node->offset, length = node->length;
      for (guint i = 0; i < node->props->len; i++) {
        Prop *prop = &g_array_index (node->props, Prop, i);
        if (strcmp (prop->name, "name") == 0) {
          offset = prop->value_offset;
          length = prop->value_length;
        }
      }
      ok = fail (p, error, PULSE_PARSE_ERROR_DUPLICATE_NAME, offset, length,
          _ ("give each element its own name"), _ ("two elements are named \"%s\""),
          pulse_element_get_name (node->element));
    }
    /* on success the pipeline holds the element; the node borrows it */
    if (ok)
      g_object_unref (node->element);
    else
      g_clear_object (&node->element);
  }

  for (guint i = 0; i < n_props; i++)
    g_value_unset (&values[i]);
  g_free (values);
  g_type_class_unref (oclass);
  return ok;
}

static gboolean
resolve_reference (Parser *p, Node *node, GError **error)
{
  PulseElement *target = pulse_pipeline_get_by_name (p->pipeline, node->word);

  if (target == NULL) {
    g_autoptr (GList) elements = pulse_pipeline_get_elements (p->pipeline);
    g_autoptr (GPtrArray) names = g_ptr_array_new ();
    g_autofree gchar *suggestion = NULL;
    g_autofree gchar *hint = NULL;

    for (GList *l = elements; l != NULL; l = l->next)
      g_ptr_array_add (names, (gpointer) pulse_element_get_name (l->data));
    g_ptr_array_add (names, NULL);
    suggestion = pulse_util_suggest (node->word, (const gchar *const *) names->pdata);
    if (suggestion != NULL)
      hint = g_strdup_printf (_ ("did you mean \"%s.\"?"), suggestion);
    else
      hint = g_strdup_printf (_ ("name an element with name=%s"), node->word);
    return fail (p, error, PULSE_PARSE_ERROR_NO_REFERENCE, node->offset, node->length, hint,
        _ ("no element named \"%s\""), node->word);
  }
  node->element = target;
  return TRUE;
}

static Node *
node_for_element (Parser *p, PulseElement *element)
{
  for (guint i = 0; i < p->nodes->len; i++) {
    Node *node = g_ptr_array_index (p->nodes, i);
    if (!node->is_ref && node->element == element)
      return node;
  }
  return NULL;
}

static gboolean
build (Parser *p, GError **error)
{
  g_autoptr (GError) local = NULL;
  PulseElement *culprit = NULL;

  for (guint i = 0; i < p->nodes->len; i++) {
    Node *node = g_ptr_array_index (p->nodes, i);
    if (!node->is_ref && !make_element (p, i, error))
      return FALSE;
  }
  for (guint i = 0; i < p->nodes->len; i++) {
    Node *node = g_ptr_array_index (p->nodes, i);
    if (node->is_ref && !resolve_reference (p, node, error))
      return FALSE;
  }
  for (guint i = 0; i < p->links->len; i++) {
    Link *link = &g_array_index (p->links, Link, i);
    g_autofree gchar *hint = NULL;

    if (!_pulse_element_link_pads_full (link->src->element,
            link->src->is_ref ? link->src->pad : NULL, link->sink->element,
            link->sink->is_ref ? link->sink->pad : NULL, &hint, &local))
      return fail (
          p, error, PULSE_PARSE_ERROR_LINK, link->bang_offset, 1, hint, "%s", local->message);
  }
  if (!_pulse_pipeline_validate (p->pipeline, &culprit, &local)) {
    Node *node = culprit != NULL ? node_for_element (p, culprit) : NULL;
    return fail (p, error, PULSE_PARSE_ERROR_LINK, node != NULL ? node->offset : 0,
        node != NULL ? node->length : strlen (p->desc), NULL, "%s", local->message);
  }
  return TRUE;
}

/**
 * pulse_parse_launch_full:
 * @description: a pipeline description such as `timer interval=2 ! print`
 * @context: (nullable): where to keep the error position and hint
 * @error: return location for a #GError in %PULSE_PARSE_ERROR
 *
 * Builds a pipeline from its description. Every problem is an error — a
 * syntax error, an unknown element or property, a value that is not of
 * the property's type or is out of its range, two elements whose formats
 * do not fit, an element left unlinked — with its byte offset and a hint.
 *
 * Returns: (transfer full): a pipeline in the NULL state, or %NULL
 */
PulsePipeline *
pulse_parse_launch_full (const gchar *description, PulseParseContext *context, GError **error)
{
  Parser p = { 0 };
  PulsePipeline *result = NULL;

  g_return_val_if_fail (description != NULL, NULL);
  g_return_val_if_fail (context == NULL || PULSE_IS_PARSE_CONTEXT (context), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  _pulse_i18n_init ();
  p.desc = description;
  p.ctx = context;
  if (context != NULL) {
    g_free (context->description);
    context->description = g_strdup (description);
    context->error_offset = -1;
    context->error_length = 0;
    g_clear_pointer (&context->error_text, g_free);
    g_clear_pointer (&context->hint, g_free);
  }
  p.tokens = g_array_new (FALSE, TRUE, sizeof (Token));
  g_array_set_clear_func (p.tokens, (GDestroyNotify) token_clear);
  p.nodes = g_ptr_array_new_with_free_func ((GDestroyNotify) node_free);
  p.links = g_array_new (FALSE, TRUE, sizeof (Link));

  if (!lex (&p, error))
    goto out;
  if (peek (&p, 0)->type == TOK_END) {
    fail (&p, error, PULSE_PARSE_ERROR_SYNTAX, 0, 1, _ ("try \"timer ! print\""),
        _ ("the pipeline description is empty"));
    goto out;
  }
  while (peek (&p, 0)->type != TOK_END)
    if (!parse_chain (&p, error))
      goto out;

  p.pipeline = pulse_pipeline_new (NULL);
  if (!build (&p, error))
    goto out;
  result = g_steal_pointer (&p.pipeline);

out:
  g_clear_object (&p.pipeline);
  g_array_unref (p.tokens);
  g_ptr_array_unref (p.nodes);
  g_array_unref (p.links);
  return result;
}

/**
 * pulse_parse_launch:
 * @description: a pipeline description such as `timer interval=2 ! print`
 * @error: return location for a #GError in %PULSE_PARSE_ERROR
 *
 * Builds a pipeline from its description; see pulse_parse_launch_full().
 *
 * Returns: (transfer full): a pipeline in the NULL state, or %NULL
 */
PulsePipeline *
pulse_parse_launch (const gchar *description, GError **error)
{
  return pulse_parse_launch_full (description, NULL, error);
}

static gboolean
needs_quotes (const gchar *s)
{
  return *s == '\0' || strpbrk (s, " \t\n\r!=\"'\\") != NULL;
}

static void
append_quoted (GString *out, const gchar *s)
{
  g_string_append_c (out, '"');
  for (; *s != '\0'; s++) {
    if (*s == '"' || *s == '\\')
      g_string_append_c (out, '\\');
    g_string_append_c (out, *s);
  }
  g_string_append_c (out, '"');
}

/**
 * pulse_parse_launchv:
 * @argv: (array zero-terminated=1): the words of a description, as a shell
 *   splits `pulse-launch timer interval=2 ! print`
 * @context: (nullable): where to keep the error position, hint and the
 *   joined description
 * @error: return location for a #GError in %PULSE_PARSE_ERROR
 *
 * Builds a pipeline from words. One word is parsed as a whole description,
 * so `pulse-launch "timer ! print"` works too. Of several words, the value
 * of each `name=value` word is quoted when it holds blanks, quotes or
 * '!', so a value the shell unquoted stays one value.
 *
 * Returns: (transfer full): a pipeline in the NULL state, or %NULL
 */
PulsePipeline *
pulse_parse_launchv (const gchar *const *argv, PulseParseContext *context, GError **error)
{
  g_autoptr (GString) desc = g_string_new (NULL);

  g_return_val_if_fail (argv != NULL, NULL);

  for (guint i = 0; argv[i] != NULL; i++) {
    const gchar *arg = argv[i];
    const gchar *eq = strchr (arg, '=');

    if (i > 0)
      g_string_append_c (desc, ' ');
    if (argv[1] != NULL && eq != NULL && eq != arg && needs_quotes (eq + 1) &&
        strspn (arg, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_") ==
            (gsize) (eq - arg)) {
      g_string_append_len (desc, arg, eq - arg + 1);
      append_quoted (desc, eq + 1);
    } else {
      g_string_append (desc, arg);
    }
  }
  return pulse_parse_launch_full (desc->str, context, error);
}

/**
 * pulse_parse_redact:
 * @description: a pipeline description
 *
 * Hides the secrets of @description for display: the value of every
 * write-only property of a registered element (a password, a key, e.g.
 * plainauth's `keys`) becomes `***`, quoted or not. What `pulse-launch`'s
 * startup table and the admin API show.
 *
 * Returns: (transfer full): the description with its secrets hidden
 */
gchar *
pulse_parse_redact (const gchar *description)
{
  g_autoptr (GPtrArray) secrets = g_ptr_array_new_with_free_func (g_free);
  g_autoptr (GList) factories = NULL;
  GString *out;
  const gchar *p = description;

  g_return_val_if_fail (description != NULL, NULL);

  factories = pulse_registry_get_factories (pulse_registry_get_default ());
  for (GList *l = factories; l != NULL; l = l->next) {
    g_autoptr (GTypeClass)
        klass = g_type_class_ref (pulse_element_factory_get_element_type (l->data));
    guint n_pspecs;
    g_autofree GParamSpec **pspecs = g_object_class_list_properties (
        G_OBJECT_CLASS (klass), &n_pspecs);

    for (guint i = 0; i < n_pspecs; i++)
      if ((pspecs[i]->flags & G_PARAM_WRITABLE) && !(pspecs[i]->flags & G_PARAM_READABLE) &&
          !g_ptr_array_find_with_equal_func (
              secrets, g_param_spec_get_name (pspecs[i]), g_str_equal, NULL))
        g_ptr_array_add (secrets, g_strdup (g_param_spec_get_name (pspecs[i])));
  }

  out = g_string_new (NULL);
  while (*p != '\0') {
    gboolean at_word = p == description || g_ascii_isspace (p[-1]);
    const gchar *name = NULL;

    for (guint i = 0; at_word && name == NULL && i < secrets->len; i++) {
      gsize len = strlen (secrets->pdata[i]);
      if (strncmp (p, secrets->pdata[i], len) == 0 && p[len] == '=')
        name = secrets->pdata[i];
    }
    if (name == NULL) {
      g_string_append_c (out, *p++);
      continue;
    }
    g_string_append_printf (out, "%s=***", name);
    p += strlen (name) + 1;
    if (*p == '\'' || *p == '"') {
      const gchar *close = strchr (p + 1, *p);
      p = close != NULL ? close + 1 : p + strlen (p);
    } else {
      while (*p != '\0' && !g_ascii_isspace (*p))
        p++;
    }
  }
  return g_string_free (out, FALSE);
}
