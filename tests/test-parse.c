/* PulseMQ tests — pipeline descriptions
 *
 * The heart of this file is a table: each row is a description and what
 * the parser must make of it. A valid row gives the graph it must build,
 * as pulse_pipeline_describe() shows it; an invalid row gives the error
 * code, the byte offset the error points at, and a piece of the hint.
 * Every invalid description must fail: DESIGN.md promises that no parse
 * problem is a mere warning.
 *
 * The rest checks what a table cannot: the joining of shell words by
 * pulse_parse_launchv(), the caret under the error (CJK characters take
 * two columns), that property values really reach the elements, and that
 * the usage line of every element parses.
 *
 * The test codecs testser (records → serialized) and testcomp (serialized
 * → compressed) come from tests/plugins, loaded in main(), so that format
 * mismatches can be tested before the real codecs exist.
 */
#include "config.h"

#include <string.h>

#include <gmodule.h>
#include <pulsemq/pulsemq.h>

/* ---- the table ---------------------------------------------------------- */

#define VALID (-1)

typedef struct {
  const gchar *description;
  /* valid rows: the graph, as normalised_describe() writes it */
  const gchar *structure;
  /* invalid rows: a PulseParseError, or VALID */
  gint code;
  gssize offset;
  /* a piece of the context's hint ('*' for any text, see
   * assert_has_piece()); NULL when there must be no hint */
  const gchar *hint;
  /* a piece of the error message, or NULL */
  const gchar *message;
} ParseRow;

/* clang-format would spread each of these over four lines */
/* clang-format off */
#define OK(desc, structure) { desc, structure, VALID, -1, NULL, NULL }
#define BAD(desc, code, offset, hint, message) \
  { desc, NULL, PULSE_PARSE_ERROR_##code, offset, hint, message }
/* clang-format on */

/* The hint of a failed link between formats (pulse-pad.c link_hint()):
 * testser among the serializers the registry has. */
#define PUT_SERIALIZER "put a serializer (*testser*) between them"

static const ParseRow rows[] = {
  /* -- chains, with and without blanks around '!' -- */
  OK ("timer ! print", "timer0.src ! print0.sink\n"),
  OK ("timer!print", "timer0.src ! print0.sink\n"),
  OK ("timer !print", "timer0.src ! print0.sink\n"),
  OK ("timer! print", "timer0.src ! print0.sink\n"),
  OK ("\t timer\n!\tfakesink \n", "timer0.src ! fakesink0.sink\n"),
  OK ("\"timer\" ! 'print'", "timer0.src ! print0.sink\n"),
  OK ("timer ! queue ! queue ! queue ! fakesink",
      "timer0.src ! queue0.sink\nqueue0.src ! queue1.sink\n"
      "queue1.src ! queue2.sink\nqueue2.src ! fakesink0.sink\n"),

  /* -- properties of every type the built-in elements have -- */
  /* uint */
  OK ("timer count=3 ! print", "timer0.src ! print0.sink\n"),
  OK ("timer count=4294967295 ! print", "timer0.src ! print0.sink\n"),
  OK ("timer count=1 count=2 ! print", "timer0.src ! print0.sink\n"),
  /* double, a duration with or without a unit, up to its bounds */
  OK ("timer interval=500ms ! print", "timer0.src ! print0.sink\n"),
  OK ("timer interval=2s ! print", "timer0.src ! print0.sink\n"),
  OK ("timer interval=1min ! print", "timer0.src ! print0.sink\n"),
  OK ("timer interval=0.25 ! print", "timer0.src ! print0.sink\n"),
  OK ("timer interval=1ms ! print", "timer0.src ! print0.sink\n"),
  OK ("timer interval=86400 ! print", "timer0.src ! print0.sink\n"),
  /* boolean spellings */
  OK ("timer ! print meta=true", "timer0.src ! print0.sink\n"),
  OK ("timer ! print meta=yes", "timer0.src ! print0.sink\n"),
  OK ("timer ! print meta=ON", "timer0.src ! print0.sink\n"),
  OK ("timer ! print meta=0", "timer0.src ! print0.sink\n"),
  OK ("timer ! print meta=False", "timer0.src ! print0.sink\n"),
  OK ("timer ! fakesink signal-handoffs=1", "timer0.src ! fakesink0.sink\n"),
  /* uint, uint64 and enum (by nick and by name) */
  OK ("timer ! queue max-buffers=10 max-bytes=1048576 leaky=downstream ! print",
      "timer0.src ! queue0.sink\nqueue0.src ! print0.sink\n"),
  OK ("timer ! queue leaky=upstream max-bytes=18446744073709551615 ! fakesink",
      "timer0.src ! queue0.sink\nqueue0.src ! fakesink0.sink\n"),
  OK ("timer ! queue leaky=PULSE_QUEUE_LEAKY_NO max-buffers=0 ! fakesink",
      "timer0.src ! queue0.sink\nqueue0.src ! fakesink0.sink\n"),
  /* strings: quotes, escapes, and quotes that hold '!', '=' and blanks */
  OK ("timer fields='{\"symbol\": \"600000\", \"price\": 10.5}' ! print",
      "timer0.src ! print0.sink\n"),
  OK ("timer fields=\"{\\\"a\\\": \\\"x y\\\", \\\"b\\\": true}\" ! print",
      "timer0.src ! print0.sink\n"),
  OK ("timer fields='{\"s\": \"a!b=c d\"}' ! print", "timer0.src ! print0.sink\n"),
  OK ("timer fields={\\\"a\\\":\\ 1} ! print", "timer0.src ! print0.sink\n"),
  OK ("timer fields='{\"a\":'\"1}\" ! print", "timer0.src ! print0.sink\n"),
  OK ("timer fields='{\"名\": \"值\"}' ! print", "timer0.src ! print0.sink\n"),

  /* -- several chains, names and references -- */
  OK ("timer ! print timer ! fakesink", "timer0.src ! print0.sink\ntimer1.src ! fakesink0.sink\n"),
  OK ("timer ! print\ntimer ! print", "timer0.src ! print0.sink\ntimer1.src ! print1.sink\n"),
  OK ("timer name=src ! print name=out", "src.src ! out.sink\n"),
  OK ("timer name=my-src_1 ! print", "my-src_1.src ! print0.sink\n"),
  OK ("timer ! tee name=t t. ! print t. ! fakesink",
      "timer0.src ! t.sink\nt.src_0 ! print0.sink\nt.src_1 ! fakesink0.sink\n"),
  /* a reference before the element it names */
  OK ("t. ! print timer ! tee name=t t. ! fakesink",
      "timer0.src ! t.sink\nt.src_0 ! print0.sink\nt.src_1 ! fakesink0.sink\n"),
  /* an explicit pad name; the next pad without one is numbered from 0 */
  OK ("timer ! tee name=t t.src_5 ! print t. ! fakesink",
      "timer0.src ! t.sink\nt.src_5 ! print0.sink\nt.src_0 ! fakesink0.sink\n"),
  OK ("timer ! t.sink tee name=t t.src_0 ! print", "timer0.src ! t.sink\nt.src_0 ! print0.sink\n"),
  /* a chain may start at an element fed later through a reference */
  OK ("tee name=t ! print timer ! t.", "t.src_0 ! print0.sink\ntimer0.src ! t.sink\n"),
  OK ("timer name=a ! tee name=b b. ! queue name=c ! print name=d b. ! fakesink name=e",
      "a.src ! b.sink\nb.src_0 ! c.sink\nb.src_1 ! e.sink\nc.src ! d.sink\n"),

  /* -- formats: codec chains, also through pass-through elements -- */
  OK ("timer ! testser ! fakesink", "timer0.src ! testser0.sink\ntestser0.src ! fakesink0.sink\n"),
  OK ("timer ! testser ! testcomp ! fakesink",
      "timer0.src ! testser0.sink\ntestser0.src ! testcomp0.sink\n"
      "testcomp0.src ! fakesink0.sink\n"),
  OK ("timer ! queue ! testser ! queue ! testcomp ! queue ! print",
      "timer0.src ! queue0.sink\nqueue0.src ! testser0.sink\n"
      "testser0.src ! queue1.sink\nqueue1.src ! testcomp0.sink\n"
      "testcomp0.src ! queue2.sink\nqueue2.src ! print0.sink\n"),
  OK ("timer ! tee name=t t. ! testser ! testcomp ! fakesink t. ! print",
      "timer0.src ! t.sink\nt.src_0 ! testser0.sink\nt.src_1 ! print0.sink\n"
      "testser0.src ! testcomp0.sink\ntestcomp0.src ! fakesink0.sink\n"),

  /* -- syntax -- */
  BAD ("", SYNTAX, 0, "try \"timer ! print\"", "empty"),
  BAD ("  \t\n ", SYNTAX, 0, "try \"timer ! print\"", "empty"),
  BAD ("! print", SYNTAX, 0, "write an element before it", "'!' must follow an element"),
  BAD ("timer !", SYNTAX, 6, "end the chain with an element", "expected an element after '!'"),
  BAD ("timer ! print !  ", SYNTAX, 14, "end the chain with an element", NULL),
  BAD ("timer ! ! print", SYNTAX, 8, "remove one '!'", "two '!' in a row"),
  BAD ("timer !! print", SYNTAX, 7, "remove one '!'", NULL),
  BAD ("=2", SYNTAX, 0, "write property=value right after an element",
      "'=' without a property name"),
  BAD ("timer = print", SYNTAX, 6, "write property=value", NULL),
  BAD ("timer count= ! print", SYNTAX, 12, "quote an empty one: count=\"\"",
      "property \"count\" has no value"),
  BAD ("timer count=", SYNTAX, 12, "quote an empty one: count=\"\"", NULL),
  /* "count= interval=2": interval must not become count's value */
  BAD ("timer count= interval=2 ! print", SYNTAX, 12, "quote an empty one: count=\"\"",
      "property \"count\" has no value"),
  /* the generic hint would suggest name="", which is refused as well */
  BAD ("timer name= ! print", SYNTAX, 11, "leave name out for a default one",
      "property \"name\" has no value"),
  BAD ("timer count=1=2 ! print", SYNTAX, 13, "quote a value that holds '='",
      "unexpected '=' after the value of \"count\""),
  BAD (
      "timer fields=\"{\\\"a\\\": 1 ! print", SYNTAX, 13, "close it with \"", "unterminated quote"),
  BAD ("timer fields='{\"a\": 1} ! print", SYNTAX, 13, "close it with '", "unterminated quote"),
  /* a backslash inside quotes escapes the closing quote away */
  BAD ("timer fields=\"a\\", SYNTAX, 13, "close it with \"", "unterminated quote"),
  BAD ("timer ! print\\", SYNTAX, 13, "write \\\\ for a backslash", "backslash at the end"),
  BAD ("t.", SYNTAX, 0, "link it", "reference \"t.\" is not linked to anything"),
  BAD ("timer ! tee name=t t.", SYNTAX, 19, "link it", NULL),
  BAD (".src ! print", SYNTAX, 0, "element name followed by '.'", "has no element name"),
  BAD ("timer ! tee name=t t. max-buffers=1 ! print", SYNTAX, 22,
      "set properties where the element is made", "a reference cannot have properties"),

  /* -- unknown elements and properties: did you mean -- */
  BAD ("timr ! print", NO_ELEMENT, 0, "did you mean \"timer\"?", "no element \"timr\""),
  BAD ("timer ! fakesnik", NO_ELEMENT, 8, "did you mean \"fakesink\"?", NULL),
  BAD ("timer ! prin", NO_ELEMENT, 8, "did you mean \"print\"?", NULL),
  BAD ("TIMER ! print", NO_ELEMENT, 0, "did you mean \"timer\"?", NULL),
  BAD ("timer ! print timer ! prnt", NO_ELEMENT, 22, "did you mean \"print\"?", NULL),
  BAD ("timer ! zzzz", NO_ELEMENT, 8, "pulse-inspect lists every element", NULL),
  BAD ("'timer ! print'", NO_ELEMENT, 0, "pulse-inspect lists every element",
      "no element \"timer ! print\""),
  BAD ("timer interval 2 ! print", NO_ELEMENT, 6,
      "\"interval\" is a property of the element before: write interval=VALUE",
      "no element \"interval\""),
  BAD ("timer ! print meta", NO_ELEMENT, 14, "write meta=VALUE", NULL),
  BAD ("timer intervall=2 ! print", NO_PROPERTY, 6, "did you mean \"interval\"?",
      "timer has no property \"intervall\""),
  BAD (
      "timer ! queue max-buffer=3 ! print", NO_PROPERTY, 14, "did you mean \"max-buffers\"?", NULL),
  BAD ("timer ! print colour=red", NO_PROPERTY, 14, "pulse-inspect print lists its properties",
      NULL),
  BAD ("timer ! fakesink buffers=3", NO_PROPERTY, 17, "it can be read, not set", "read-only"),

  /* -- values: wrong type or out of range, never clamped -- */
  BAD ("timer count=-1 ! print", OUT_OF_RANGE, 12, NULL, "out of range for \"count\""),
  BAD ("timer count=4294967296 ! print", OUT_OF_RANGE, 12, NULL, "[0, 4294967295]"),
  BAD ("timer count=abc ! print", BAD_VALUE, 12, NULL, "expected a non-negative integer"),
  BAD ("timer count=1.5 ! print", BAD_VALUE, 12, NULL, NULL),
  BAD ("timer count=\"\" ! print", BAD_VALUE, 12, NULL, NULL),
  BAD ("timer ! queue max-bytes=18446744073709551616 ! print", OUT_OF_RANGE, 24, NULL, NULL),
  BAD ("timer ! queue max-buffers=-5 ! print", OUT_OF_RANGE, 26, NULL, NULL),
  BAD ("timer interval=0 ! print", OUT_OF_RANGE, 15, NULL, "allowed [0.001, 86400] seconds"),
  BAD ("timer interval=100000 ! print", OUT_OF_RANGE, 15, NULL, NULL),
  BAD ("timer interval=250us ! print", OUT_OF_RANGE, 15, NULL, NULL),
  /* like count=-1: a number, but outside the range */
  BAD ("timer interval=-1 ! print", OUT_OF_RANGE, 15, NULL, NULL),
  BAD ("timer interval=2x ! print", BAD_VALUE, 15, NULL, "expected a duration"),
  BAD ("timer interval=nan ! print", BAD_VALUE, 15, NULL, NULL),
  BAD ("timer ! print meta=maybe", BAD_VALUE, 19, NULL, "expected true or false"),
  BAD ("timer ! queue leaky=sideways ! print", BAD_VALUE, 20, NULL,
      "one of: no, upstream, downstream"),
  /* fields must be a flat JSON object; the error points at the value */
  BAD ("timer fields='{\"a\": 1' ! print", BAD_VALUE, 13, NULL, "not valid JSON"),
  BAD ("timer fields='[1, 2]' ! print", BAD_VALUE, 13, NULL, "must be a JSON object"),
  BAD ("timer fields='{\"a\": {\"b\": 1}}' ! print", BAD_VALUE, 13, NULL, "not an object or array"),
  BAD ("timer fields='{\"a\": [1]}' ! print", BAD_VALUE, 13, NULL, "not an object or array"),
  BAD ("timer fields='{\"seq\": 1}' ! print", BAD_VALUE, 13, NULL, "cannot set \"seq\""),

  /* -- names and references -- */
  BAD ("timer ! tee name=t u. ! print", NO_REFERENCE, 19, "did you mean \"t.\"?",
      "no element named \"u\""),
  BAD ("timer ! tee name=tee1 nosuch. ! print", NO_REFERENCE, 22,
      "name an element with name=nosuch", NULL),
  BAD ("timer name=a ! print name=a", DUPLICATE_NAME, 26, "give each element its own name",
      "two elements are named \"a\""),
  BAD ("timer name=x ! print  timer name=x ! fakesink", DUPLICATE_NAME, 33,
      "give each element its own name", NULL),

  /* -- links: sinks, sources and pads in the wrong place -- */
  BAD ("timer ! print ! print", LINK, 14, NULL, "it is a sink and must end a chain"),
  BAD ("timer ! timer", LINK, 6, NULL, "it is a source and must start a chain"),
  BAD ("timer ! queue ! timer ! print", LINK, 14, NULL, "it is a source"),
  BAD ("timer", LINK, 0, NULL, "the output of timer"),
  BAD ("timer ! queue", LINK, 8, NULL, "the output of queue"),
  BAD ("print", LINK, 0, NULL, "the input of print"),
  BAD ("timer ! print print", LINK, 14, NULL, "the input of print"),
  BAD ("timer ! tee", LINK, 8, NULL, "has no output linked"),
  BAD ("timer ! tee name=t", LINK, 8, NULL, "t has no output linked"),
  /* a loop: the culprit is the whole description */
  BAD ("tee name=t ! queue ! t.", LINK, 0, NULL, "form a loop"),
  BAD ("tee name=t t. ! t.", LINK, 14, NULL, "cannot link t to itself"),
  BAD ("timer ! tee name=t t. ! t.", LINK, 22, NULL, "the input of t is already linked"),
  BAD ("timer ! tee name=t t.sink ! print", LINK, 26, NULL, "is an input, not an output"),
  BAD ("timer ! tee name=t t.foo ! print", LINK, 25, NULL, "t has no pad \"foo\""),
  BAD ("timer ! tee name=t t.src_1 ! print t.src_1 ! fakesink", LINK, 43, NULL,
      "pad \"src_1\" of t is already linked"),

  /* -- links: formats, directly and through pass-through elements -- */
  BAD ("timer ! testcomp ! fakesink", LINK, 6, PUT_SERIALIZER,
      "produces records but testcomp0 accepts serialized"),
  /* the queue takes records from the timer, then meets testcomp */
  BAD ("timer ! queue ! testcomp ! fakesink", LINK, 14, PUT_SERIALIZER,
      "queue0 produces records but testcomp0 accepts serialized"),
  /* the other direction: the queue is serialized already when the
   * timer comes */
  BAD ("queue name=q ! testcomp ! fakesink timer ! q.", LINK, 41, PUT_SERIALIZER,
      "timer0 produces records but q accepts serialized"),
  BAD ("tee name=t t. ! testcomp ! fakesink timer ! t.", LINK, 42, PUT_SERIALIZER,
      "timer0 produces records but t accepts serialized"),
  /* The tee carries records; its new branch meets testcomp. The link
   * being made is t → testcomp0, and that is what the error must name
   * (not "t to t"), with the serializer to put between them. */
  BAD ("timer ! tee name=t t. ! testcomp ! fakesink", LINK, 22, PUT_SERIALIZER,
      "cannot link t to testcomp0: t produces records but testcomp0 accepts serialized"),
  BAD ("timer ! tee name=t t. ! queue ! testcomp ! fakesink", LINK, 30, PUT_SERIALIZER,
      "cannot link queue0 to testcomp0"),
  /* the built-in codecs work both ways: the hint names the mode that fits */
  BAD ("timer ! testser ! testser ! fakesink", LINK, 16,
      "put a deserializer (*msgpack*) between them: testser0 ! msgpack mode=decode ! testser1",
      "testser0 produces serialized but testser1 accepts records"),
  BAD ("timer ! testser ! testcomp ! testcomp ! fakesink", LINK, 27,
      "put a decompressor (lz4, snappy, zstd) between them: testcomp0 ! lz4 mode=decode ! testcomp1",
      "produces compressed but testcomp1 accepts serialized"),
};

/* Default element names come from a per-process counter ("timer7" when
 * seven timers were made before), so the structure a row expects cannot
 * be written down if it depends on the rows that ran before it. The table
 * writes names as a fresh process would give them, and this renumbers the
 * default names of one pipeline the same way: per factory, in the order
 * the elements were made, from 0. A name given with name= stays as it is
 * (the rows give none of the form factory + digits). Messages, which
 * may hold default names too, are compared by erase_counters(). */
static GHashTable *
default_name_map (PulsePipeline *pipeline)
{
  GHashTable *renames = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  g_autoptr (GHashTable) counters = g_hash_table_new (g_str_hash, g_str_equal);
  g_autoptr (GList) elements = pulse_pipeline_get_elements (pipeline);

  for (GList *l = elements; l != NULL; l = l->next) {
    const gchar *name = pulse_element_get_name (l->data);
    PulseElementFactory *factory = pulse_element_get_factory (l->data);
    const gchar *fname, *digits;
    guint n;

    g_assert_nonnull (factory);
    fname = pulse_element_factory_get_name (factory);
    if (!g_str_has_prefix (name, fname))
      continue;
    digits = name + strlen (fname);
    if (*digits == '\0' || strspn (digits, "0123456789") != strlen (digits))
      continue;
    n = GPOINTER_TO_UINT (g_hash_table_lookup (counters, fname));
    g_hash_table_insert (counters, (gpointer) fname, GUINT_TO_POINTER (n + 1));
    g_hash_table_insert (renames, g_strdup (name), g_strdup_printf ("%s%u", fname, n));
  }
  return renames;
}

/* "timer3.src" → "timer0.src" by the map */
static void
append_renamed_pad (GString *out, const gchar *element_pad, GHashTable *renames)
{
  const gchar *dot = strrchr (element_pad, '.');
  g_autofree gchar *element = g_strndup (
      element_pad, dot != NULL ? (gsize) (dot - element_pad) : strlen (element_pad));
  const gchar *renamed = g_hash_table_lookup (renames, element);

  g_string_append (out, renamed != NULL ? renamed : element);
  if (dot != NULL)
    g_string_append (out, dot);
}

static gchar *
normalised_describe (PulsePipeline *pipeline)
{
  g_autoptr (GHashTable) renames = default_name_map (pipeline);
  g_autofree gchar *text = pulse_pipeline_describe (pipeline);
  g_auto (GStrv) lines = g_strsplit (text, "\n", -1);
  GString *out = g_string_new (NULL);

  for (guint i = 0; lines[i] != NULL; i++) {
    g_auto (GStrv) ends = NULL;

    if (*lines[i] == '\0')
      continue;
    ends = g_strsplit (lines[i], " ! ", 2);
    append_renamed_pad (out, ends[0], renames);
    if (ends[1] != NULL) {
      g_string_append (out, " ! ");
      append_renamed_pad (out, ends[1], renames);
    }
    g_string_append_c (out, '\n');
  }
  return g_string_free (out, FALSE);
}

/* A failed parse leaves no pipeline to read the default names from, so an
 * expected message naming "testcomp0" is matched against the real one with
 * every factory name + digits (timer12, testcomp7) turned into factory +
 * '#'. Explicit names ("t", "q") are untouched. */
static gchar *
erase_counters (const gchar *text)
{
  g_autoptr (GList) factories = pulse_element_factory_list ();
  GString *out = g_string_new (NULL);
  const gchar *p = text;

  while (*p != '\0') {
    gsize best = 0;

    /* at the start of a word only, and the longest factory name wins
     * ("testcomp" rather than "test…") */
    if (p == text || !g_ascii_isalnum (p[-1])) {
      for (GList *l = factories; l != NULL; l = l->next) {
        const gchar *fname = pulse_element_factory_get_name (l->data);
        gsize len = strlen (fname);
        if (len > best && strncmp (p, fname, len) == 0 && g_ascii_isdigit (p[len]))
          best = len;
      }
    }
    if (best == 0) {
      g_string_append_c (out, *p++);
      continue;
    }
    g_string_append_len (out, p, best);
    g_string_append_c (out, '#');
    p += best;
    while (g_ascii_isdigit (*p))
      p++;
  }
  return g_string_free (out, FALSE);
}

/* @expected is a piece of @text; a '*' in it stands for any text (the
 * list of converters in a link hint grows as elements are added) */
static void
assert_has_piece (const gchar *text, const gchar *expected)
{
  g_autofree gchar *t = erase_counters (text);
  g_autofree gchar *e = erase_counters (expected);
  g_autofree gchar *pattern = g_strconcat ("*", e, "*", NULL);
  gboolean found = g_pattern_match_simple (pattern, t);

  if (!found)
    g_test_message ("expected \"%s\" in \"%s\"", expected, text);
  g_assert_true (found);
}

static void
test_row (gconstpointer data)
{
  const ParseRow *row = data;
  g_autoptr (PulseParseContext) ctx = pulse_parse_context_new ();
  g_autoptr (PulsePipeline) pipeline = NULL;
  g_autoptr (PulsePipeline) again = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (GError) error_again = NULL;

  g_test_message ("description: [%s]", row->description);
  pipeline = pulse_parse_launch_full (row->description, ctx, &error);
  g_assert_cmpstr (pulse_parse_context_get_description (ctx), ==, row->description);

  if (row->code == VALID) {
    g_autofree gchar *structure = NULL;

    g_assert_no_error (error);
    g_assert_nonnull (pipeline);
    if (pipeline == NULL)
      return;
    structure = normalised_describe (pipeline);
    g_assert_cmpstr (structure, ==, row->structure);
    g_assert_cmpint (pulse_pipeline_get_state (pipeline), ==, PULSE_STATE_NULL);
    g_assert_cmpint (pulse_parse_context_get_error_offset (ctx), ==, -1);
    g_assert_null (pulse_parse_context_get_error_text (ctx));
    g_assert_null (pulse_parse_context_get_hint (ctx));
    return;
  }

  g_assert_null (pipeline);
  g_assert_error (error, PULSE_PARSE_ERROR, row->code);
  if (error == NULL)
    return;
  g_assert_cmpint (pulse_parse_context_get_error_offset (ctx), ==, row->offset);
  g_assert_cmpuint (pulse_parse_context_get_error_length (ctx), >=, 1);
  g_assert_nonnull (pulse_parse_context_get_error_text (ctx));

  /* the position is in the message too, for callers without a context */
  {
    g_autofree gchar *at = g_strdup_printf ("at byte %" G_GSSIZE_FORMAT, row->offset);
    g_assert_nonnull (strstr (error->message, at));
  }
  if (row->hint != NULL) {
    const gchar *hint = pulse_parse_context_get_hint (ctx);
    g_assert_nonnull (hint);
    if (hint != NULL) {
      assert_has_piece (hint, row->hint);
      /* the message carries the hint as well */
      g_assert_nonnull (strstr (error->message, hint));
    }
  } else {
    g_assert_null (pulse_parse_context_get_hint (ctx));
  }
  if (row->message != NULL)
    assert_has_piece (error->message, row->message);

  /* without a context the same error comes back */
  again = pulse_parse_launch (row->description, &error_again);
  g_assert_null (again);
  g_assert_error (error_again, PULSE_PARSE_ERROR, row->code);
}

/* ---- pulse_parse_launchv ------------------------------------------------ */

static PulseElement *
find_element (PulsePipeline *pipeline, const gchar *name)
{
  PulseElement *element = pulse_pipeline_get_by_name (pipeline, name);

  g_assert_nonnull (element);
  return element;
}

/* The shell removed the quotes of fields='{"a": 1}': the word holds a
 * blank and quotes, and must still reach the timer as one value. */
static void
test_launchv_value_word (void)
{
  const gchar *argv[] = { "timer", "name=src", "fields={\"a\": 1, \"s\": \"x!y=z\"}", "!", "print",
    NULL };
  g_autoptr (PulseParseContext) ctx = pulse_parse_context_new ();
  g_autoptr (PulsePipeline) pipeline = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree gchar *fields = NULL;

  pipeline = pulse_parse_launchv (argv, ctx, &error);
  g_assert_no_error (error);
  g_assert_nonnull (pipeline);
  if (pipeline == NULL)
    return;
  g_object_get (find_element (pipeline, "src"), "fields", &fields, NULL);
  g_assert_cmpstr (fields, ==, "{\"a\": 1, \"s\": \"x!y=z\"}");
  /* the joined description is what a caret would be drawn under */
  g_assert_cmpstr (pulse_parse_context_get_description (ctx), ==,
      "timer name=src fields=\"{\\\"a\\\": 1, \\\"s\\\": \\\"x!y=z\\\"}\" ! print");
}

/* A backslash in a value survives the quoting launchv adds. */
static void
test_launchv_backslash (void)
{
  const gchar *argv[] = { "timer", "name=src", "fields={\"p\": \"a\\\\b\"}", "!", "fakesink",
    NULL };
  g_autoptr (PulsePipeline) pipeline = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree gchar *fields = NULL;

  pipeline = pulse_parse_launchv (argv, NULL, &error);
  g_assert_no_error (error);
  if (pipeline == NULL)
    return;
  g_object_get (find_element (pipeline, "src"), "fields", &fields, NULL);
  g_assert_cmpstr (fields, ==, "{\"p\": \"a\\\\b\"}");
}

/* An empty value from the shell (fields="") is a value, not a missing one. */
static void
test_launchv_empty_value (void)
{
  const gchar *argv[] = { "timer", "name=src", "fields=", "!", "print", NULL };
  g_autoptr (PulsePipeline) pipeline = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree gchar *fields = NULL;

  pipeline = pulse_parse_launchv (argv, NULL, &error);
  g_assert_no_error (error);
  if (pipeline == NULL)
    return;
  g_object_get (find_element (pipeline, "src"), "fields", &fields, NULL);
  g_assert_cmpstr (fields, ==, "");
}

/* pulse-launch "timer ! tee name=t t. ! print t. ! fakesink": one word
 * is a whole description, not a value to quote. */
static void
test_launchv_single_word (void)
{
  const gchar *argv[] = {
    "timer name=src count=2 ! tee name=t t. ! print name=p t. ! fakesink name=f", NULL
  };
  g_autoptr (PulseParseContext) ctx = pulse_parse_context_new ();
  g_autoptr (PulsePipeline) pipeline = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree gchar *structure = NULL;
  guint count = 0;

  pipeline = pulse_parse_launchv (argv, ctx, &error);
  g_assert_no_error (error);
  if (pipeline == NULL)
    return;
  g_assert_cmpstr (pulse_parse_context_get_description (ctx), ==, argv[0]);
  structure = pulse_pipeline_describe (pipeline);
  g_assert_cmpstr (structure, ==, "src.src ! t.sink\nt.src_0 ! p.sink\nt.src_1 ! f.sink\n");
  g_object_get (find_element (pipeline, "src"), "count", &count, NULL);
  g_assert_cmpuint (count, ==, 2);
}

/* An error offset counts in the joined description. */
static void
test_launchv_error_offset (void)
{
  const gchar *argv[] = { "timer", "fields={\"a\": [1]}", "!", "prnt", NULL };
  g_autoptr (PulseParseContext) ctx = pulse_parse_context_new ();
  g_autoptr (PulsePipeline) pipeline = NULL;
  g_autoptr (GError) error = NULL;
  const gchar *desc;

  pipeline = pulse_parse_launchv (argv, ctx, &error);
  g_assert_null (pipeline);
  /* the timer is made before print is looked up: the bad fields win */
  g_assert_error (error, PULSE_PARSE_ERROR, PULSE_PARSE_ERROR_BAD_VALUE);
  desc = pulse_parse_context_get_description (ctx);
  g_assert_cmpstr (desc, ==, "timer fields=\"{\\\"a\\\": [1]}\" ! prnt");
  g_assert_cmpint (pulse_parse_context_get_error_offset (ctx), ==, strlen ("timer fields="));
}

/* ---- the caret under the error ------------------------------------------ */

static gchar *
format_error_of (const gchar *description)
{
  g_autoptr (PulseParseContext) ctx = pulse_parse_context_new ();
  g_autoptr (PulsePipeline) pipeline = NULL;
  g_autoptr (GError) error = NULL;

  pipeline = pulse_parse_launch_full (description, ctx, &error);
  g_assert_null (pipeline);
  g_assert_nonnull (error);
  return pulse_parse_context_format_error (ctx);
}

static void
test_format_error_ascii (void)
{
  g_autofree gchar *text = format_error_of ("timer ! prnt");
  g_autofree gchar *text2 = format_error_of ("timer ! ! print");

  g_assert_cmpstr (text, ==,
      "  timer ! prnt\n"
      "          ^~~~");
  g_assert_cmpstr (text2, ==,
      "  timer ! ! print\n"
      "          ^");
}

/* Tabs and newlines would move the caret: they are shown as blanks. */
static void
test_format_error_whitespace (void)
{
  g_autofree gchar *text = format_error_of ("timer\n!\tprnt");

  g_assert_cmpstr (text, ==,
      "  timer ! prnt\n"
      "          ^~~~");
}

/* Before the error: 25 one-column characters and two CJK characters that
 * take two columns each (and three bytes each: the offset is 31), so the
 * caret is in column 29 after the two-blank indent. */
static void
test_format_error_cjk (void)
{
  const gchar *desc = "timer fields='{\"名\":\"值\"}' ! prnt";
  g_autoptr (PulseParseContext) ctx = pulse_parse_context_new ();
  g_autoptr (PulsePipeline) pipeline = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree gchar *text = NULL;
  g_autofree gchar *pad = g_strnfill (2 + 29, ' ');
  g_autofree gchar *expected = NULL;

  pipeline = pulse_parse_launch_full (desc, ctx, &error);
  g_assert_error (error, PULSE_PARSE_ERROR, PULSE_PARSE_ERROR_NO_ELEMENT);
  g_assert_cmpint (pulse_parse_context_get_error_offset (ctx), ==, 31);
  text = pulse_parse_context_format_error (ctx);
  expected = g_strdup_printf ("  %s\n%s^~~~", desc, pad);
  g_assert_cmpstr (text, ==, expected);
}

/* A CJK word in error: six bytes, four columns of '^~~~'. */
static void
test_format_error_cjk_span (void)
{
  g_autofree gchar *text = format_error_of ("timer ! 打印");

  g_assert_cmpstr (text, ==,
      "  timer ! 打印\n"
      "          ^~~~");
}

/* The empty description: a caret at the start, nothing to underline. */
static void
test_format_error_empty (void)
{
  g_autofree gchar *text = format_error_of ("");

  g_assert_cmpstr (text, ==, "  \n  ^");
}

static void
test_format_error_none (void)
{
  g_autoptr (PulseParseContext) ctx = pulse_parse_context_new ();
  g_autoptr (PulsePipeline) pipeline = NULL;
  g_autoptr (GError) error = NULL;

  /* no parse yet */
  g_assert_null (pulse_parse_context_format_error (ctx));
  g_assert_cmpint (pulse_parse_context_get_error_offset (ctx), ==, -1);

  /* a failed parse, then a good one with the same context: no stale error */
  pipeline = pulse_parse_launch_full ("timr ! print", ctx, &error);
  g_assert_null (pipeline);
  g_assert_nonnull (pulse_parse_context_get_hint (ctx));
  g_clear_error (&error);
  pipeline = pulse_parse_launch_full ("timer ! print", ctx, &error);
  g_assert_no_error (error);
  g_assert_nonnull (pipeline);
  g_assert_cmpint (pulse_parse_context_get_error_offset (ctx), ==, -1);
  g_assert_null (pulse_parse_context_get_hint (ctx));
  g_assert_null (pulse_parse_context_get_error_text (ctx));
  g_assert_null (pulse_parse_context_format_error (ctx));
  g_assert_cmpstr (pulse_parse_context_get_description (ctx), ==, "timer ! print");
}

/* ---- property values reach the elements --------------------------------- */

static void
test_properties_land (void)
{
  g_autoptr (PulsePipeline) pipeline = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree gchar *fields = NULL;
  gdouble interval = 0;
  guint count = 0, max_buffers = 0;
  guint64 max_bytes = 0;
  gint leaky = -1;
  gboolean meta = FALSE, handoffs = FALSE;
  GEnumClass *leaky_class;
  GEnumValue *leaky_value;

  pipeline = pulse_parse_launch (
      "timer name=src interval=500ms count=7 fields='{\"symbol\": \"600000\", \"p\": 10.5}' "
      "! tee name=t "
      "t. ! queue name=q max-buffers=5 max-bytes=18446744073709551615 leaky=downstream "
      "! print name=p meta=yes "
      "t. ! fakesink name=f signal-handoffs=on",
      &error);
  g_assert_no_error (error);
  if (pipeline == NULL)
    return;

  g_object_get (find_element (pipeline, "src"), "interval", &interval, "count", &count, "fields",
      &fields, NULL);
  g_assert_cmpfloat_with_epsilon (interval, 0.5, 1e-12);
  g_assert_cmpuint (count, ==, 7);
  g_assert_cmpstr (fields, ==, "{\"symbol\": \"600000\", \"p\": 10.5}");

  g_object_get (find_element (pipeline, "q"), "max-buffers", &max_buffers, "max-bytes", &max_bytes,
      "leaky", &leaky, NULL);
  g_assert_cmpuint (max_buffers, ==, 5);
  g_assert_cmpuint (max_bytes, ==, G_MAXUINT64);
  /* the enum type is the element's: read the nick back through it */
  leaky_class = g_type_class_ref (G_PARAM_SPEC_VALUE_TYPE (
      g_object_class_find_property (G_OBJECT_GET_CLASS (find_element (pipeline, "q")), "leaky")));
  leaky_value = g_enum_get_value (leaky_class, leaky);
  g_assert_nonnull (leaky_value);
  if (leaky_value != NULL)
    g_assert_cmpstr (leaky_value->value_nick, ==, "downstream");
  g_type_class_unref (leaky_class);

  g_object_get (find_element (pipeline, "p"), "meta", &meta, NULL);
  g_assert_true (meta);
  g_object_get (find_element (pipeline, "f"), "signal-handoffs", &handoffs, NULL);
  g_assert_true (handoffs);
}

/* Each unit is the number of seconds it says. */
static void
test_properties_durations (void)
{
  static const struct {
    const gchar *text;
    gdouble seconds;
  } cases[] = {
    { "2", 2.0 },
    { "0.5", 0.5 },
    { "500ms", 0.5 },
    { "2s", 2.0 },
    { "1min", 60.0 },
    { "1m", 60.0 },
    { "1h", 3600.0 },
    { "1500us", 0.0015 },
    { "2000000ns", 0.002 },
    { "250MS", 0.25 },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++) {
    g_autofree gchar *desc = g_strdup_printf ("timer name=src interval=%s ! print", cases[i].text);
    g_autoptr (PulsePipeline) pipeline = NULL;
    g_autoptr (GError) error = NULL;
    gdouble interval = 0;

    pipeline = pulse_parse_launch (desc, &error);
    g_assert_no_error (error);
    if (pipeline == NULL)
      continue;
    g_object_get (find_element (pipeline, "src"), "interval", &interval, NULL);
    g_assert_cmpfloat_with_epsilon (interval, cases[i].seconds, 1e-12);
  }
}

/* Booleans: every spelling the parser documents, in any case. */
static void
test_properties_booleans (void)
{
  static const struct {
    const gchar *text;
    gboolean value;
  } cases[] = {
    { "true", TRUE },
    { "yes", TRUE },
    { "on", TRUE },
    { "1", TRUE },
    { "TRUE", TRUE },
    { "false", FALSE },
    { "no", FALSE },
    { "off", FALSE },
    { "0", FALSE },
    { "Off", FALSE },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++) {
    /* start from the opposite, so that a value left at its default fails */
    g_autofree gchar *desc = g_strdup_printf (
        "timer ! print name=p meta=%s meta=%s", cases[i].value ? "false" : "true", cases[i].text);
    g_autoptr (PulsePipeline) pipeline = NULL;
    g_autoptr (GError) error = NULL;
    gboolean meta = !cases[i].value;

    pipeline = pulse_parse_launch (desc, &error);
    g_assert_no_error (error);
    if (pipeline == NULL)
      continue;
    g_object_get (find_element (pipeline, "p"), "meta", &meta, NULL);
    g_assert_cmpint (meta, ==, cases[i].value);
  }
}

/* A property given twice: the last one counts, as on a command line. */
static void
test_properties_last_wins (void)
{
  g_autoptr (PulsePipeline) pipeline = NULL;
  g_autoptr (GError) error = NULL;
  guint count = 0;
  gdouble interval = 0;

  pipeline = pulse_parse_launch ("timer name=a count=1 interval=3 count=2 ! print", &error);
  g_assert_no_error (error);
  if (pipeline == NULL)
    return;
  g_object_get (find_element (pipeline, "a"), "count", &count, "interval", &interval, NULL);
  g_assert_cmpuint (count, ==, 2);
  g_assert_cmpfloat_with_epsilon (interval, 3.0, 1e-12);
}

/* Quotes and escapes are gone from the value the element gets. */
static void
test_properties_quoting (void)
{
  static const struct {
    const gchar *written;
    const gchar *value;
  } cases[] = {
    { "'{\"a\": 1}'", "{\"a\": 1}" },
    { "\"{\\\"a\\\": \\\"x y\\\"}\"", "{\"a\": \"x y\"}" },
    { "{\\\"a\\\":\\ 1}", "{\"a\": 1}" },
    { "'{\"a\":'\"1}\"", "{\"a\":1}" },
    { "'{\"s\": \"it\\'s\"}'", "{\"s\": \"it's\"}" },
    { "'{\"s\": \"a!b=c\"}'", "{\"s\": \"a!b=c\"}" },
    { "'{\"名\": \"值\"}'", "{\"名\": \"值\"}" },
    { "''", "" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++) {
    g_autofree gchar *desc = g_strdup_printf ("timer name=src fields=%s ! print", cases[i].written);
    g_autoptr (PulsePipeline) pipeline = NULL;
    g_autoptr (GError) error = NULL;
    g_autofree gchar *fields = NULL;

    g_test_message ("description: [%s]", desc);
    pipeline = pulse_parse_launch (desc, &error);
    g_assert_no_error (error);
    if (pipeline == NULL)
      continue;
    g_object_get (find_element (pipeline, "src"), "fields", &fields, NULL);
    g_assert_cmpstr (fields, ==, cases[i].value);
  }
}

/* ---- the timer's fields ------------------------------------------------- */

/* Whatever comes before it, a bad fields value is a BAD_VALUE that points
 * at the value itself (its opening quote), so the caret lands under it. */
static void
test_fields_bad_value_offset (void)
{
  static const struct {
    const gchar *value;
    const gchar *message;
  } cases[] = {
    { "'{\"a\": 1'", "not valid JSON" },
    { "'not json'", "not valid JSON" },
    { "'[1, 2]'", "must be a JSON object" },
    { "'\"text\"'", "must be a JSON object" },
    { "'42'", "must be a JSON object" },
    { "'{\"a\": {\"b\": 1}}'", "not an object or array" },
    { "'{\"a\": [1, 2]}'", "not an object or array" },
    { "'{\"timestamp_ns\": 1}'", "cannot set \"timestamp_ns\"" },
  };
  static const gchar *prefixes[] = {
    "timer fields=",
    "timer ! print  timer name=后 count=2 fields=",
  };

  for (guint p = 0; p < G_N_ELEMENTS (prefixes); p++) {
    for (guint i = 0; i < G_N_ELEMENTS (cases); i++) {
      g_autofree gchar *desc = g_strdup_printf ("%s%s ! fakesink", prefixes[p], cases[i].value);
      g_autoptr (PulseParseContext) ctx = pulse_parse_context_new ();
      g_autoptr (PulsePipeline) pipeline = NULL;
      g_autoptr (GError) error = NULL;

      g_test_message ("description: [%s]", desc);
      pipeline = pulse_parse_launch_full (desc, ctx, &error);
      g_assert_null (pipeline);
      g_assert_error (error, PULSE_PARSE_ERROR, PULSE_PARSE_ERROR_BAD_VALUE);
      if (error == NULL)
        continue;
      g_assert_cmpint (pulse_parse_context_get_error_offset (ctx), ==, strlen (prefixes[p]));
      g_assert_cmpuint (pulse_parse_context_get_error_length (ctx), ==, strlen (cases[i].value));
      g_assert_nonnull (strstr (error->message, cases[i].message));
    }
  }
}

/* Flat values of every JSON kind are fine. */
static void
test_fields_good (void)
{
  g_autoptr (PulsePipeline) pipeline = NULL;
  g_autoptr (GError) error = NULL;

  pipeline = pulse_parse_launch ("timer fields='{\"i\": 1, \"d\": 2.5, \"b\": false, "
                                 "\"s\": \"x\", \"n\": null}' ! fakesink",
      &error);
  g_assert_no_error (error);
  g_assert_nonnull (pipeline);
}

/* ---- usage lines -------------------------------------------------------- */

/* pulse-inspect prints each element's usage line as an example to copy:
 * every one must parse, the test codecs' included. */
static void
test_usage_lines_parse (void)
{
  g_autoptr (GList) factories = pulse_element_factory_list ();
  guint n = 0;

  for (GList *l = factories; l != NULL; l = l->next) {
    PulseElementFactory *factory = l->data;
    const gchar *name = pulse_element_factory_get_name (factory);
    const gchar *usage = pulse_element_factory_get_usage (factory);
    g_autoptr (PulsePipeline) pipeline = NULL;
    g_autoptr (GError) error = NULL;
    g_autoptr (GList) elements = NULL;
    gboolean uses_it = FALSE;

    g_test_message ("%s: [%s]", name, usage);
    g_assert_nonnull (usage);
    if (usage == NULL)
      continue;
    pipeline = pulse_parse_launch (usage, &error);
    g_assert_no_error (error);
    if (pipeline == NULL)
      continue;
    /* and the example shows the element it is the usage of */
    elements = pulse_pipeline_get_elements (pipeline);
    for (GList *e = elements; e != NULL; e = e->next)
      if (pulse_element_get_factory (e->data) == factory)
        uses_it = TRUE;
    g_assert_true (uses_it);
    n++;
  }
  /* the five built-in elements and the two test codecs at least */
  g_assert_cmpuint (n, >=, 7);
}

/* ---- an empty name ------------------------------------------------------ */

/* name="" is a value the user wrote, so it must be a parse error like any
 * other bad value — not a CRITICAL from pulse_element_set_name() and a
 * default name in its place. Run in a subprocess: the critical would
 * abort this one. */
static void
test_empty_name (void)
{
  if (g_test_subprocess ()) {
    g_autoptr (PulseParseContext) ctx = pulse_parse_context_new ();
    g_autoptr (PulsePipeline) pipeline = NULL;
    g_autoptr (GError) error = NULL;

    pipeline = pulse_parse_launch_full ("timer name=\"\" ! print", ctx, &error);
    g_assert_null (pipeline);
    g_assert_error (error, PULSE_PARSE_ERROR, PULSE_PARSE_ERROR_BAD_VALUE);
    g_assert_cmpint (pulse_parse_context_get_error_offset (ctx), ==, strlen ("timer name="));
    return;
  }
  g_test_trap_subprocess (NULL, 0, G_TEST_SUBPROCESS_DEFAULT);
  g_test_trap_assert_passed ();
  g_test_trap_assert_stderr_unmatched ("*CRITICAL*");
}

/* ---- main --------------------------------------------------------------- */

/* secrets (write-only properties) never reach a display of the description */
static void
test_redact (void)
{
  static const struct {
    const gchar *in, *out;
  } cases[] = {
    { "timer ! plainauth keys=alice:x,bob:y allow=alice ! zmqpub topic=t",
        "timer ! plainauth keys=*** allow=alice ! zmqpub topic=t" },
    { "plainauth keys='a:b c' curve-secret-key=\"k k\" ! zmqpub topic=t",
        "plainauth keys=*** curve-secret-key=*** ! zmqpub topic=t" },
    { "plainauth keys='unterminated", "plainauth keys=***" },
    /* not a property name at the start of a word: left alone */
    { "timer fields='{\"xkeys=1\"}' ! print", "timer fields='{\"xkeys=1\"}' ! print" },
    { "plainauth keys-file=/etc/keys ! zmqpub topic=t",
        "plainauth keys-file=/etc/keys ! zmqpub topic=t" },
    { "", "" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++) {
    g_autofree gchar *out = pulse_parse_redact (cases[i].in);
    g_assert_cmpstr (out, ==, cases[i].out);
  }
}

int
main (int argc, char **argv)
{
  g_autoptr (GError) error = NULL;
  g_autofree gchar *module = NULL;
  const gchar *dir;

  g_test_init (&argc, &argv, NULL);
  /* one failing row must not hide the verdict on the others */
  g_test_set_nonfatal_assertions ();

  dir = g_getenv ("PULSE_TEST_PLUGIN_DIR");
  if (dir == NULL)
    g_error ("PULSE_TEST_PLUGIN_DIR is not set: run this test with meson test");
  module = g_build_filename (dir, "pulsetestcodec." G_MODULE_SUFFIX, NULL);
  if (!pulse_registry_load_module (pulse_registry_get_default (), module, &error))
    g_error ("%s", error->message);

  for (guint i = 0; i < G_N_ELEMENTS (rows); i++) {
    g_autofree gchar *path = g_strdup_printf (
        "/parse/table/%s/%03u", rows[i].code == VALID ? "valid" : "invalid", i);
    g_test_add_data_func (path, &rows[i], test_row);
  }

  g_test_add_func ("/parse/launchv/value-word", test_launchv_value_word);
  g_test_add_func ("/parse/launchv/backslash", test_launchv_backslash);
  g_test_add_func ("/parse/launchv/empty-value", test_launchv_empty_value);
  g_test_add_func ("/parse/launchv/single-word", test_launchv_single_word);
  g_test_add_func ("/parse/launchv/error-offset", test_launchv_error_offset);
  g_test_add_func ("/parse/format-error/ascii", test_format_error_ascii);
  g_test_add_func ("/parse/format-error/whitespace", test_format_error_whitespace);
  g_test_add_func ("/parse/format-error/cjk", test_format_error_cjk);
  g_test_add_func ("/parse/format-error/cjk-span", test_format_error_cjk_span);
  g_test_add_func ("/parse/format-error/empty", test_format_error_empty);
  g_test_add_func ("/parse/format-error/none", test_format_error_none);
  g_test_add_func ("/parse/properties/land", test_properties_land);
  g_test_add_func ("/parse/properties/durations", test_properties_durations);
  g_test_add_func ("/parse/properties/booleans", test_properties_booleans);
  g_test_add_func ("/parse/properties/last-wins", test_properties_last_wins);
  g_test_add_func ("/parse/properties/quoting", test_properties_quoting);
  g_test_add_func ("/parse/fields/bad-value-offset", test_fields_bad_value_offset);
  g_test_add_func ("/parse/fields/good", test_fields_good);
  g_test_add_func ("/parse/usage-lines", test_usage_lines_parse);
  g_test_add_func ("/parse/empty-name", test_empty_name);
  g_test_add_func ("/parse/redact", test_redact);

  return g_test_run ();
}
