/* PulseMQ — property values from text
 *
 * The GParamSpec is the single source of truth for a property: its type,
 * range and default. The parser, pulse-inspect and the admin API all read
 * values through here, so `interval=500ms`, `leaky=downstream` and
 * `count=4` mean the same everywhere.
 */
#include "config.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <glib/gi18n-lib.h>

#include <pulsemq/pulsemq.h>
#include "pulse-private.h"

static GQuark
duration_quark (void)
{
  static GQuark q;

  if (q == 0)
    q = g_quark_from_static_string ("pulse-duration");
  return q;
}

/**
 * pulse_param_spec_duration:
 * @name: the property name
 * @nick: a short name
 * @blurb: what it means
 * @minimum: the smallest value, in seconds
 * @maximum: the largest value, in seconds
 * @default_value: the default, in seconds
 * @flags: the flags
 *
 * Makes a double property counted in seconds that pipeline descriptions
 * may also write with a unit: `250us`, `500ms`, `2s`, `5min`, `1h`.
 *
 * Returns: (transfer full): a new #GParamSpecDouble marked as a duration
 */
GParamSpec *
pulse_param_spec_duration (const gchar *name, const gchar *nick, const gchar *blurb,
    gdouble minimum, gdouble maximum, gdouble default_value, GParamFlags flags)
{
  GParamSpec *pspec = g_param_spec_double (
      name, nick, blurb, minimum, maximum, default_value, flags);

  g_param_spec_set_qdata (pspec, duration_quark (), GINT_TO_POINTER (1));
  return pspec;
}

/**
 * pulse_param_spec_is_duration:
 * @pspec: a #GParamSpec
 *
 * Returns: %TRUE if @pspec was made by pulse_param_spec_duration()
 */
gboolean
pulse_param_spec_is_duration (GParamSpec *pspec)
{
  g_return_val_if_fail (G_IS_PARAM_SPEC (pspec), FALSE);
  return g_param_spec_get_qdata (pspec, duration_quark ()) != NULL;
}

/**
 * pulse_parse_duration:
 * @text: a number of seconds, optionally with a unit: `ns`, `us`, `ms`,
 *   `s`, `min` (or `m`), `h`
 * @seconds: (out): the duration in seconds
 * @error: return location for a #GError
 *
 * Returns: %TRUE if @text is a finite, non-negative duration
 */
gboolean
pulse_parse_duration (const gchar *text, gdouble *seconds, GError **error)
{
  static const struct {
    const gchar *unit;
    gdouble factor;
  } units[] = {
    { "", 1 },
    { "s", 1 },
    { "sec", 1 },
    { "ms", 1e-3 },
    { "us", 1e-6 },
    { "ns", 1e-9 },
    { "m", 60 },
    { "min", 60 },
    { "h", 3600 },
  };
  gchar *end = NULL;
  gdouble v;

  g_return_val_if_fail (text != NULL, FALSE);

  errno = 0;
  v = g_ascii_strtod (text, &end);
  if (end == text || errno == ERANGE || !isfinite (v) || v < 0)
    goto bad;
  for (guint i = 0; i < G_N_ELEMENTS (units); i++) {
    if (g_ascii_strcasecmp (end, units[i].unit) == 0) {
      *seconds = v * units[i].factor;
      return TRUE;
    }
  }
bad:
  g_set_error (error, PULSE_PARSE_ERROR, PULSE_PARSE_ERROR_BAD_VALUE,
      _ ("\"%s\" is not a duration; write seconds such as 2 or 0.5, or use a unit: 500ms, 2s, 1min"),
      text);
  return FALSE;
}

static gboolean
parse_boolean (const gchar *text, gboolean *out)
{
  static const gchar *yes[] = { "true", "yes", "on", "1" };
  static const gchar *no[] = { "false", "no", "off", "0" };

  for (guint i = 0; i < G_N_ELEMENTS (yes); i++) {
    if (g_ascii_strcasecmp (text, yes[i]) == 0) {
      *out = TRUE;
      return TRUE;
    }
    if (g_ascii_strcasecmp (text, no[i]) == 0) {
      *out = FALSE;
      return TRUE;
    }
  }
  return FALSE;
}

static gchar *
enum_choices (GEnumClass *eclass)
{
  GString *s = g_string_new (NULL);

  for (guint i = 0; i < eclass->n_values; i++) {
    if (i > 0)
      g_string_append (s, ", ");
    g_string_append (s, eclass->values[i].value_nick);
  }
  return g_string_free (s, FALSE);
}

static gchar *
flags_choices (GFlagsClass *fclass)
{
  GString *s = g_string_new (NULL);

  for (guint i = 0; i < fclass->n_values; i++) {
    if (i > 0)
      g_string_append (s, ", ");
    g_string_append (s, fclass->values[i].value_nick);
  }
  return g_string_free (s, FALSE);
}

/**
 * pulse_param_spec_describe_range:
 * @pspec: a #GParamSpec
 *
 * Returns: (transfer full) (nullable): the allowed values for people:
 * `[0, 4294967295]`, `one of: no, upstream, downstream`, or %NULL when any
 * value of the type will do
 */
gchar *
pulse_param_spec_describe_range (GParamSpec *pspec)
{
  GType t;

  g_return_val_if_fail (G_IS_PARAM_SPEC (pspec), NULL);
  t = G_PARAM_SPEC_VALUE_TYPE (pspec);

#define RANGE(T, fmt)                                                                              \
  {                                                                                                \
    T *p = (T *) pspec;                                                                            \
    return g_strdup_printf ("[%" fmt ", %" fmt "]", p->minimum, p->maximum);                       \
  }
  if (G_IS_PARAM_SPEC_INT (pspec))
    RANGE (GParamSpecInt, "d")
  if (G_IS_PARAM_SPEC_UINT (pspec))
    RANGE (GParamSpecUInt, "u")
  if (G_IS_PARAM_SPEC_LONG (pspec))
    RANGE (GParamSpecLong, "ld")
  if (G_IS_PARAM_SPEC_ULONG (pspec))
    RANGE (GParamSpecULong, "lu")
  if (G_IS_PARAM_SPEC_INT64 (pspec))
    RANGE (GParamSpecInt64, G_GINT64_FORMAT)
  if (G_IS_PARAM_SPEC_UINT64 (pspec))
    RANGE (GParamSpecUInt64, G_GUINT64_FORMAT)
#undef RANGE
  if (G_IS_PARAM_SPEC_DOUBLE (pspec) || G_IS_PARAM_SPEC_FLOAT (pspec)) {
    gdouble lo, hi;
    gchar a[G_ASCII_DTOSTR_BUF_SIZE], b[G_ASCII_DTOSTR_BUF_SIZE];
    if (G_IS_PARAM_SPEC_DOUBLE (pspec)) {
      lo = G_PARAM_SPEC_DOUBLE (pspec)->minimum;
      hi = G_PARAM_SPEC_DOUBLE (pspec)->maximum;
    } else {
      lo = G_PARAM_SPEC_FLOAT (pspec)->minimum;
      hi = G_PARAM_SPEC_FLOAT (pspec)->maximum;
    }
    g_ascii_formatd (a, sizeof a, "%g", lo);
    g_ascii_formatd (b, sizeof b, "%g", hi);
    return g_strdup_printf (
        "[%s, %s]%s", a, b, pulse_param_spec_is_duration (pspec) ? _ (" seconds") : "");
  }
  if (G_TYPE_IS_ENUM (t)) {
    g_autofree gchar *c = enum_choices (G_PARAM_SPEC_ENUM (pspec)->enum_class);
    return g_strdup_printf (_ ("one of: %s"), c);
  }
  if (G_TYPE_IS_FLAGS (t)) {
    g_autofree gchar *c = flags_choices (G_PARAM_SPEC_FLAGS (pspec)->flags_class);
    return g_strdup_printf (_ ("any of: %s, joined with +"), c);
  }
  return NULL;
}

static gboolean
out_of_range (GParamSpec *pspec, const gchar *text, GError **error)
{
  g_autofree gchar *range = pulse_param_spec_describe_range (pspec);

  g_set_error (error, PULSE_PARSE_ERROR, PULSE_PARSE_ERROR_OUT_OF_RANGE,
      _ ("%s is out of range for \"%s\": allowed %s"), text, g_param_spec_get_name (pspec),
      range != NULL ? range : "?");
  return FALSE;
}

static gboolean
bad_value (GParamSpec *pspec, const gchar *text, const gchar *expected, GError **error)
{
  g_set_error (error, PULSE_PARSE_ERROR, PULSE_PARSE_ERROR_BAD_VALUE,
      _ ("\"%s\" is not a valid value for \"%s\": expected %s"), text,
      g_param_spec_get_name (pspec), expected);
  return FALSE;
}

/**
 * pulse_value_from_string:
 * @pspec: the property
 * @text: the value as written in a pipeline description
 * @value: (out caller-allocates): an unset #GValue, set to the property's
 *   type on success
 * @error: return location for a #GError (%PULSE_PARSE_ERROR_BAD_VALUE or
 *   %PULSE_PARSE_ERROR_OUT_OF_RANGE)
 *
 * Reads @text as a value of @pspec: integers, doubles (durations with
 * units), booleans (`true`/`false`, `yes`/`no`, `on`/`off`, `1`/`0`),
 * strings, enums by nick or name, flags joined with `+`. A value outside
 * the range is an error, never clamped.
 *
 * Returns: %TRUE on success
 */
gboolean
pulse_value_from_string (GParamSpec *pspec, const gchar *text, GValue *value, GError **error)
{
  GType t;

  g_return_val_if_fail (G_IS_PARAM_SPEC (pspec), FALSE);
  g_return_val_if_fail (text != NULL, FALSE);
  g_return_val_if_fail (value != NULL && !G_IS_VALUE (value), FALSE);

  t = G_PARAM_SPEC_VALUE_TYPE (pspec);
  g_value_init (value, t);

  if (t == G_TYPE_STRING) {
    g_value_set_string (value, text);
  } else if (t == G_TYPE_BOOLEAN) {
    gboolean b;
    if (!parse_boolean (text, &b)) {
      bad_value (pspec, text, _ ("true or false"), error);
      goto fail;
    }
    g_value_set_boolean (value, b);
  } else if (t == G_TYPE_INT || t == G_TYPE_LONG || t == G_TYPE_INT64) {
    gint64 v;
    g_autoptr (GError) e = NULL;
    if (!g_ascii_string_to_signed (text, 10, G_MININT64, G_MAXINT64, &v, &e)) {
      if (g_error_matches (e, G_NUMBER_PARSER_ERROR, G_NUMBER_PARSER_ERROR_OUT_OF_BOUNDS))
        out_of_range (pspec, text, error);
      else
        bad_value (pspec, text, _ ("an integer"), error);
      goto fail;
    }
    if ((t == G_TYPE_INT && (v < G_MININT || v > G_MAXINT)) ||
        (t == G_TYPE_LONG && (v < G_MINLONG || v > G_MAXLONG))) {
      out_of_range (pspec, text, error);
      goto fail;
    }
    if (t == G_TYPE_INT)
      g_value_set_int (value, v);
    else if (t == G_TYPE_LONG)
      g_value_set_long (value, v);
    else
      g_value_set_int64 (value, v);
  } else if (t == G_TYPE_UINT || t == G_TYPE_ULONG || t == G_TYPE_UINT64) {
    guint64 v;
    g_autoptr (GError) e = NULL;
    if (text[0] == '-') {
      /* "-1" for an unsigned property is a value outside its range */
      gint64 neg;
      if (g_ascii_string_to_signed (text, 10, G_MININT64, G_MAXINT64, &neg, NULL))
        out_of_range (pspec, text, error);
      else
        bad_value (pspec, text, _ ("a non-negative integer"), error);
      goto fail;
    }
    if (!g_ascii_string_to_unsigned (text, 10, 0, G_MAXUINT64, &v, &e)) {
      if (g_error_matches (e, G_NUMBER_PARSER_ERROR, G_NUMBER_PARSER_ERROR_OUT_OF_BOUNDS))
        out_of_range (pspec, text, error);
      else
        bad_value (pspec, text, _ ("a non-negative integer"), error);
      goto fail;
    }
    if ((t == G_TYPE_UINT && v > G_MAXUINT) || (t == G_TYPE_ULONG && v > G_MAXULONG)) {
      out_of_range (pspec, text, error);
      goto fail;
    }
    if (t == G_TYPE_UINT)
      g_value_set_uint (value, v);
    else if (t == G_TYPE_ULONG)
      g_value_set_ulong (value, v);
    else
      g_value_set_uint64 (value, v);
  } else if (t == G_TYPE_DOUBLE || t == G_TYPE_FLOAT) {
    gdouble v;
    if (pulse_param_spec_is_duration (pspec)) {
      /* "-1s" reads as a duration below the range, as "-1" does for numbers */
      gboolean negative = text[0] == '-';
      if (!pulse_parse_duration (negative ? text + 1 : text, &v, NULL)) {
        bad_value (pspec, text, _ ("a duration such as 2, 0.5, 500ms or 2s"), error);
        goto fail;
      }
      if (negative)
        v = -v;
    } else {
      gchar *end = NULL;
      errno = 0;
      v = g_ascii_strtod (text, &end);
      if (end == text || *end != '\0' || !isfinite (v)) {
        bad_value (pspec, text, _ ("a number"), error);
        goto fail;
      }
    }
    if (t == G_TYPE_DOUBLE)
      g_value_set_double (value, v);
    else
      g_value_set_float (value, v);
  } else if (G_TYPE_IS_ENUM (t)) {
    GEnumClass *eclass = G_PARAM_SPEC_ENUM (pspec)->enum_class;
    GEnumValue *ev = g_enum_get_value_by_nick (eclass, text);
    if (ev == NULL)
      ev = g_enum_get_value_by_name (eclass, text);
    if (ev == NULL) {
      g_autofree gchar *choices = enum_choices (eclass);
      g_autofree gchar *expected = g_strdup_printf (_ ("one of: %s"), choices);
      bad_value (pspec, text, expected, error);
      goto fail;
    }
    g_value_set_enum (value, ev->value);
  } else if (G_TYPE_IS_FLAGS (t)) {
    GFlagsClass *fclass = G_PARAM_SPEC_FLAGS (pspec)->flags_class;
    g_auto (GStrv) parts = g_strsplit_set (text, "+|", -1);
    guint flags = 0;
    for (guint i = 0; parts[i] != NULL; i++) {
      GFlagsValue *fv = g_flags_get_value_by_nick (fclass, g_strstrip (parts[i]));
      if (fv == NULL)
        fv = g_flags_get_value_by_name (fclass, parts[i]);
      if (fv == NULL) {
        g_autofree gchar *choices = flags_choices (fclass);
        g_autofree gchar *expected = g_strdup_printf (_ ("any of: %s, joined with +"), choices);
        bad_value (pspec, text, expected, error);
        goto fail;
      }
      flags |= fv->value;
    }
    g_value_set_flags (value, flags);
  } else {
    g_set_error (error, PULSE_PARSE_ERROR, PULSE_PARSE_ERROR_BAD_VALUE,
        _ ("property \"%s\" has type %s, which a pipeline description cannot set"),
        g_param_spec_get_name (pspec), g_type_name (t));
    goto fail;
  }

  /* g_param_value_validate() clamps and returns TRUE when it had to */
  {
    GValue check = G_VALUE_INIT;
    gboolean changed;
    g_value_init (&check, t);
    g_value_copy (value, &check);
    changed = g_param_value_validate (pspec, &check);
    g_value_unset (&check);
    if (changed) {
      out_of_range (pspec, text, error);
      goto fail;
    }
  }
  return TRUE;

fail:
  g_value_unset (value);
  return FALSE;
}

/**
 * pulse_value_to_string:
 * @value: a #GValue
 *
 * Writes a property value the way a pipeline description would: enums by
 * nick, doubles in C locale, strings as they are.
 *
 * Returns: (transfer full): the text
 */
gchar *
pulse_value_to_string (const GValue *value)
{
  GType t;

  g_return_val_if_fail (G_IS_VALUE (value), NULL);
  t = G_VALUE_TYPE (value);

  if (t == G_TYPE_STRING)
    return g_strdup (g_value_get_string (value) != NULL ? g_value_get_string (value) : "");
  if (t == G_TYPE_BOOLEAN)
    return g_strdup (g_value_get_boolean (value) ? "true" : "false");
  if (t == G_TYPE_DOUBLE || t == G_TYPE_FLOAT) {
    gchar buf[G_ASCII_DTOSTR_BUF_SIZE];
    gdouble v = t == G_TYPE_DOUBLE ? g_value_get_double (value) : g_value_get_float (value);
    return g_strdup (g_ascii_formatd (buf, sizeof buf, "%g", v));
  }
  if (G_TYPE_IS_ENUM (t)) {
    GEnumClass *eclass = g_type_class_ref (t);
    GEnumValue *ev = g_enum_get_value (eclass, g_value_get_enum (value));
    gchar *s = ev != NULL ? g_strdup (ev->value_nick)
                          : g_strdup_printf ("%d", g_value_get_enum (value));
    g_type_class_unref (eclass);
    return s;
  }
  if (G_TYPE_IS_FLAGS (t)) {
    GFlagsClass *fclass = g_type_class_ref (t);
    guint flags = g_value_get_flags (value);
    GString *s = g_string_new (NULL);
    for (guint i = 0; i < fclass->n_values; i++) {
      guint v = fclass->values[i].value;
      if (v != 0 && (flags & v) == v) {
        if (s->len > 0)
          g_string_append_c (s, '+');
        g_string_append (s, fclass->values[i].value_nick);
      }
    }
    g_type_class_unref (fclass);
    return g_string_free (s, FALSE);
  }
  {
    GValue str = G_VALUE_INIT;
    gchar *s;
    g_value_init (&str, G_TYPE_STRING);
    if (g_value_transform (value, &str))
      s = g_value_dup_string (&str);
    else
      s = g_strdup_value_contents (value);
    g_value_unset (&str);
    return s != NULL ? s : g_strdup ("");
  }
}
