/* PulseMQ — record batches from GVariant values
 *
 * The one place where application values become columns: the pyarrow
 * serializer uses it for value trees, and the producer element for what
 * application code hands in (a map, a list of maps, a table of columns).
 *
 * Rows (a map, or a list of maps) take two passes: one finds the columns,
 * the union of the keys in first-seen order, and their types (ints mixed
 * with floats make a float64 column, as pandas does); the other appends the
 * values. Tables are columns already: each list is read once, straight
 * from its serialized array when its type is fixed (ax, ad, ab, as, aay).
 */
#include "config.h"

#include <inttypes.h>
#include <string.h>

#include <glib/gi18n-lib.h>

#include <pulsemq/pulsemq.h>
#include "pulse-private.h"

/* Values of a GVariant map, in the terms of a column */
typedef enum {
  VALUE_NULL,
  VALUE_INT,
  VALUE_DOUBLE,
  VALUE_BOOL,
  VALUE_STRING,
  VALUE_BYTES,
  VALUE_OTHER,
} ValueKind;

static const PulseColumnType column_types[] = {
  [VALUE_NULL] = PULSE_COLUMN_UTF8, /* all null: any type does, utf8 reads best */
  [VALUE_INT] = PULSE_COLUMN_INT64,
  [VALUE_DOUBLE] = PULSE_COLUMN_FLOAT64,
  [VALUE_BOOL] = PULSE_COLUMN_BOOL,
  [VALUE_STRING] = PULSE_COLUMN_UTF8,
  [VALUE_BYTES] = PULSE_COLUMN_BINARY,
};

/* Looks through variants and maybes (a bounded number of them: a value
 * is data from the application, not to be trusted to be shallow). */
static GVariant *
unwrap (GVariant *v)
{
  g_variant_ref (v);
  for (guint depth = 0; depth < 8; depth++) {
    GVariant *inner;
    if (g_variant_is_of_type (v, G_VARIANT_TYPE_VARIANT)) {
      inner = g_variant_get_variant (v);
    } else if (g_variant_is_of_type (v, G_VARIANT_TYPE_MAYBE)) {
      inner = g_variant_get_maybe (v);
      if (inner == NULL)
        return v; /* nothing: a null */
    } else {
      return v;
    }
    g_variant_unref (v);
    v = inner;
  }
  return v;
}

static ValueKind
value_kind (GVariant *v)
{
  switch (g_variant_classify (v)) {
    case G_VARIANT_CLASS_MAYBE: return VALUE_NULL; /* unwrap() left only nothings */
    case G_VARIANT_CLASS_BYTE:
    case G_VARIANT_CLASS_INT16:
    case G_VARIANT_CLASS_UINT16:
    case G_VARIANT_CLASS_INT32:
    case G_VARIANT_CLASS_UINT32:
    case G_VARIANT_CLASS_INT64: return VALUE_INT;
    case G_VARIANT_CLASS_UINT64:
      return g_variant_get_uint64 (v) <= G_MAXINT64 ? VALUE_INT : VALUE_OTHER;
    case G_VARIANT_CLASS_DOUBLE: return VALUE_DOUBLE;
    case G_VARIANT_CLASS_BOOLEAN: return VALUE_BOOL;
    case G_VARIANT_CLASS_STRING: return VALUE_STRING;
    default: break;
  }
  if (g_variant_is_of_type (v, G_VARIANT_TYPE_BYTESTRING))
    return VALUE_BYTES;
  return VALUE_OTHER;
}

static gint64
value_int (GVariant *v)
{
  switch (g_variant_classify (v)) {
    case G_VARIANT_CLASS_BYTE: return g_variant_get_byte (v);
    case G_VARIANT_CLASS_INT16: return g_variant_get_int16 (v);
    case G_VARIANT_CLASS_UINT16: return g_variant_get_uint16 (v);
    case G_VARIANT_CLASS_INT32: return g_variant_get_int32 (v);
    case G_VARIANT_CLASS_UINT32: return g_variant_get_uint32 (v);
    case G_VARIANT_CLASS_UINT64: return (gint64) g_variant_get_uint64 (v);
    default: return g_variant_get_int64 (v);
  }
}

static const gchar *
kind_name (ValueKind kind)
{
  switch (kind) {
    case VALUE_INT: return "int64";
    case VALUE_DOUBLE: return "float64";
    case VALUE_BOOL: return "bool";
    case VALUE_STRING: return "utf8";
    case VALUE_BYTES: return "binary";
    default: return "null";
  }
}

/* Folds the kind of one more value into a column's: NULL goes with
 * anything, ints and floats make floats. Returns FALSE on a clash. */
static gboolean
merge_kind (ValueKind *column, ValueKind kind)
{
  if (kind == VALUE_NULL || kind == *column)
    return TRUE;
  if (*column == VALUE_NULL)
    *column = kind;
  else if ((*column == VALUE_INT && kind == VALUE_DOUBLE) ||
      (*column == VALUE_DOUBLE && kind == VALUE_INT))
    *column = VALUE_DOUBLE;
  else
    return FALSE;
  return TRUE;
}

/* Refuses what a column cannot hold, naming the field */
static gboolean
check_scalar (GVariant *inner, ValueKind kind, const gchar *key, GError **error)
{
  if (kind != VALUE_OTHER)
    return TRUE;
  if (g_variant_is_of_type (inner, G_VARIANT_TYPE_UINT64))
    g_set_error (error, PULSE_STREAM_ERROR, PULSE_STREAM_ERROR_ENCODE,
        _ ("field \"%s\" holds %" PRIu64 ", beyond the range of int64"), key,
        g_variant_get_uint64 (inner));
  else
    g_set_error (error, PULSE_STREAM_ERROR, PULSE_STREAM_ERROR_ENCODE,
        _ ("field \"%s\" holds a %s, not a value a column can hold (use msgpack or json for "
           "nested records)"),
        key, g_variant_get_type_string (inner));
  return FALSE;
}

/* Appends one value of a known kind to @column, converting an int to the
 * float64 column it was merged into */
static void
append_value (PulseRecordBatch *batch, guint column, ValueKind column_kind, GVariant *inner)
{
  ValueKind kind = value_kind (inner);

  if (kind == VALUE_NULL) {
    pulse_record_batch_append_null (batch, column);
    return;
  }
  switch (column_kind) {
    case VALUE_INT: pulse_record_batch_append_int64 (batch, column, value_int (inner)); break;
    case VALUE_DOUBLE:
      pulse_record_batch_append_double (batch, column,
          kind == VALUE_DOUBLE ? g_variant_get_double (inner) : (gdouble) value_int (inner));
      break;
    case VALUE_BOOL:
      pulse_record_batch_append_boolean (batch, column, g_variant_get_boolean (inner));
      break;
    case VALUE_STRING: {
      gsize len;
      const gchar *s = g_variant_get_string (inner, &len);
      pulse_record_batch_append_string (batch, column, s, len);
      break;
    }
    case VALUE_BYTES: {
      gsize len;
      const guint8 *b = g_variant_get_fixed_array (inner, &len, 1);
      pulse_record_batch_append_binary (batch, column, b, len);
      break;
    }
    default: g_assert_not_reached ();
  }
}

/* ---- rows ------------------------------------------------------------------ */

typedef struct {
  gchar *name;
  ValueKind kind; /* VALUE_NULL until a value says otherwise */
  guint last_row; /* 1 + the last row that set it, to catch repeated keys */
} VariantColumn;

static void
variant_column_clear (gpointer p)
{
  g_free (((VariantColumn *) p)->name);
}

/* a map with string keys, whatever the type of its values */
static gboolean
is_map (GVariant *v)
{
  return g_variant_is_of_type (v, G_VARIANT_TYPE ("a{s*}"));
}

static GVariant *
row_map (GVariant *row)
{
  GVariant *map = unwrap (row);

  if (is_map (map))
    return map;
  g_variant_unref (map);
  return NULL;
}

/**
 * pulse_record_batch_new_from_variant:
 * @value: a map `a{sv}` (any map with string keys), or a list of maps
 *   (`aa{sv}`, or `av` holding maps); a floating reference is sunk
 * @error: return location for a #GError
 *
 * Makes columns of records given as maps of scalars: a map is one row
 * (shape %PULSE_RECORD_SHAPE_MAP), a list of maps one row per map (shape
 * %PULSE_RECORD_SHAPE_ROWS). The columns are the union of the keys in
 * first-seen order, as pandas builds a DataFrame from a list of dicts; a
 * key missing from a map, or an empty maybe, is a null. Integers of any
 * width make int64 columns, ints mixed with doubles a float64 column;
 * strings make utf8 columns and byte strings (`ay`) binary ones.
 *
 * A value that is not flat — a field holding a list or a map, a uint64
 * beyond the int64 range, one field holding strings in one map and numbers
 * in another — is refused with %PULSE_STREAM_ERROR_ENCODE: such records
 * travel as a #GVariant (pulse_buffer_new_value()).
 *
 * Returns: (transfer full) (nullable): a new #PulseRecordBatch, or %NULL
 *   with @error set
 */
PulseRecordBatch *
pulse_record_batch_new_from_variant (GVariant *value, GError **error)
{
  g_autoptr (GVariant) owned = NULL;
  g_autoptr (GArray) cols = g_array_new (FALSE, TRUE, sizeof (VariantColumn));
  g_autoptr (GHashTable) index = g_hash_table_new (g_str_hash, g_str_equal);
  g_autoptr (PulseRecordBatch) batch = pulse_record_batch_new ();
  gboolean one_map;
  gsize n_rows;

  g_return_val_if_fail (value != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  owned = g_variant_ref_sink (value);
  one_map = is_map (value);
  g_array_set_clear_func (cols, variant_column_clear);
  if (!one_map && !g_variant_is_of_type (value, G_VARIANT_TYPE ("av")) &&
      !g_variant_is_of_type (value, G_VARIANT_TYPE ("aa{s*}"))) {
    g_set_error (error, PULSE_STREAM_ERROR, PULSE_STREAM_ERROR_ENCODE,
        _ ("only a map or a list of maps makes records, not %s"),
        g_variant_get_type_string (value));
    return NULL;
  }
  n_rows = one_map ? 1 : g_variant_n_children (value);
  if (n_rows > G_MAXINT32) {
    g_set_error (
        error, PULSE_STREAM_ERROR, PULSE_STREAM_ERROR_ENCODE, _ ("too many records (%zu)"), n_rows);
    return NULL;
  }

  /* first pass: the columns and their types */
  for (gsize r = 0; r < n_rows; r++) {
    g_autoptr (GVariant) row = one_map ? g_variant_ref (value)
                                       : g_variant_get_child_value (value, r);
    g_autoptr (GVariant) map = row_map (row);
    GVariantIter iter;
    GVariant *child;

    if (map == NULL) {
      g_autoptr (GVariant) inner = unwrap (row);
      g_set_error (error, PULSE_STREAM_ERROR, PULSE_STREAM_ERROR_ENCODE,
          _ ("record %zu is not a map but %s"), r, g_variant_get_type_string (inner));
      return NULL;
    }
    g_variant_iter_init (&iter, map);
    while ((child = g_variant_iter_next_value (&iter)) != NULL) {
      g_autoptr (GVariant) entry = child;
      g_autoptr (GVariant) v = g_variant_get_child_value (entry, 1);
      g_autoptr (GVariant) inner = unwrap (v);
      ValueKind kind = value_kind (inner);
      VariantColumn *col;
      const gchar *key;
      gpointer found;

      g_variant_get_child (entry, 0, "&s", &key);
      if (!check_scalar (inner, kind, key, error))
        return NULL;
      if (!g_hash_table_lookup_extended (index, key, NULL, &found)) {
        VariantColumn nc = { g_strdup (key), VALUE_NULL, 0 };
        g_array_append_val (cols, nc);
        found = GUINT_TO_POINTER (cols->len - 1);
        g_hash_table_insert (index, g_array_index (cols, VariantColumn, cols->len - 1).name, found);
      }
      col = &g_array_index (cols, VariantColumn, GPOINTER_TO_UINT (found));
      if (col->last_row == r + 1) {
        g_set_error (error, PULSE_STREAM_ERROR, PULSE_STREAM_ERROR_ENCODE,
            _ ("field \"%s\" appears twice in record %zu"), key, r);
        return NULL;
      }
      col->last_row = r + 1;
      if (!merge_kind (&col->kind, kind)) {
        g_set_error (error, PULSE_STREAM_ERROR, PULSE_STREAM_ERROR_ENCODE,
            _ ("field \"%s\" holds both %s and %s values"), key, kind_name (col->kind),
            kind_name (kind));
        return NULL;
      }
    }
  }

  for (guint c = 0; c < cols->len; c++) {
    VariantColumn *col = &g_array_index (cols, VariantColumn, c);
    pulse_record_batch_add_column (batch, col->name, column_types[col->kind]);
  }

  /* second pass: the values */
  for (gsize r = 0; r < n_rows; r++) {
    g_autoptr (GVariant) row = one_map ? g_variant_ref (value)
                                       : g_variant_get_child_value (value, r);
    g_autoptr (GVariant) map = row_map (row);
    GVariantIter iter;
    GVariant *child;

    g_variant_iter_init (&iter, map);
    while ((child = g_variant_iter_next_value (&iter)) != NULL) {
      g_autoptr (GVariant) entry = child;
      g_autoptr (GVariant) v = g_variant_get_child_value (entry, 1);
      g_autoptr (GVariant) inner = unwrap (v);
      const gchar *key;
      guint c;

      g_variant_get_child (entry, 0, "&s", &key);
      c = GPOINTER_TO_UINT (g_hash_table_lookup (index, key));
      append_value (batch, c, g_array_index (cols, VariantColumn, c).kind, inner);
    }
    pulse_record_batch_end_row (batch);
  }
  pulse_record_batch_set_shape (batch, one_map ? PULSE_RECORD_SHAPE_MAP : PULSE_RECORD_SHAPE_ROWS);
  return g_steal_pointer (&batch);
}

/* ---- tables ---------------------------------------------------------------- */

/* How a column's list is read: straight from its serialized array for the
 * fixed element types, value by value otherwise. */
typedef enum {
  READ_INT64, /* ax, and at once checked */
  READ_INT32, /* ai */
  READ_UINT32,
  READ_INT16,
  READ_UINT16,
  READ_BYTE,
  READ_DOUBLE,
  READ_BOOL,
  READ_STRV, /* as */
  READ_VALUES,
} ReadAs;

typedef struct {
  gchar *name;
  GVariant *list;
  gsize length;
  ReadAs read;
  ValueKind kind;
  gconstpointer fixed; /* the serialized array of a fixed element type */
  const gchar **strv;  /* READ_STRV */
  gint column;
} TableColumn;

static void
table_column_clear (gpointer p)
{
  TableColumn *c = p;

  g_free (c->name);
  g_clear_pointer (&c->list, g_variant_unref);
  g_free (c->strv);
}

/* a map of lists (any list but a byte string, which is one value) */
static gboolean
looks_like_columns (GVariant *value)
{
  GVariantIter iter;
  GVariant *child;
  gboolean any = FALSE;

  g_variant_iter_init (&iter, value);
  while ((child = g_variant_iter_next_value (&iter)) != NULL) {
    g_autoptr (GVariant) entry = child;
    g_autoptr (GVariant) v = g_variant_get_child_value (entry, 1);
    g_autoptr (GVariant) inner = unwrap (v);

    if (!g_variant_is_of_type (inner, G_VARIANT_TYPE_ARRAY) ||
        g_variant_is_of_type (inner, G_VARIANT_TYPE_BYTESTRING) ||
        g_variant_is_of_type (inner, G_VARIANT_TYPE ("a{?*}")))
      return FALSE;
    any = TRUE;
  }
  return any;
}

/**
 * pulse_record_batch_is_table_variant:
 * @value: a #GVariant
 *
 * Tells whether @value has the form of a table of columns: a list of
 * (name, list) pairs `a(sv)`, or a map with string keys whose values are
 * all lists, at least one. A byte string (`ay`) counts as one value, not
 * a list, so that a map of byte strings stays a record. Whether the
 * lengths agree is for pulse_record_batch_new_from_columns() to check.
 *
 * Returns: %TRUE if @value has the form of a table of columns
 */
gboolean
pulse_record_batch_is_table_variant (GVariant *value)
{
  g_return_val_if_fail (value != NULL, FALSE);

  if (g_variant_is_of_type (value, G_VARIANT_TYPE ("a(s*)")))
    return TRUE;
  return is_map (value) && looks_like_columns (value);
}

/* the fixed element types: how they are read and their serialized size
 * (a serialized boolean is one byte) */
static const struct {
  gchar type;
  ReadAs read;
  ValueKind kind;
  gsize size;
} fixed_types[] = {
  { 'x', READ_INT64, VALUE_INT, 8 },
  { 't', READ_INT64, VALUE_INT, 8 },
  { 'i', READ_INT32, VALUE_INT, 4 },
  { 'u', READ_UINT32, VALUE_INT, 4 },
  { 'n', READ_INT16, VALUE_INT, 2 },
  { 'q', READ_UINT16, VALUE_INT, 2 },
  { 'y', READ_BYTE, VALUE_INT, 1 },
  { 'd', READ_DOUBLE, VALUE_DOUBLE, 8 },
  { 'b', READ_BOOL, VALUE_BOOL, 1 },
};

static gboolean
table_column_open (TableColumn *c, GError **error)
{
  const gchar *element = g_variant_get_type_string (c->list) + 1;

  c->length = g_variant_n_children (c->list);
  for (guint i = 0; i < G_N_ELEMENTS (fixed_types); i++) {
    gsize n;

    if (element[0] != fixed_types[i].type || element[1] != '\0')
      continue;
    c->read = fixed_types[i].read;
    c->kind = fixed_types[i].kind;
    c->fixed = g_variant_get_fixed_array (c->list, &n, fixed_types[i].size);
    if (element[0] == 't') {
      const guint64 *v = c->fixed;
      for (gsize r = 0; r < n; r++)
        if (v[r] > G_MAXINT64) {
          g_set_error (error, PULSE_STREAM_ERROR, PULSE_STREAM_ERROR_ENCODE,
              _ ("field \"%s\" holds %" PRIu64 ", beyond the range of int64"), c->name, v[r]);
          return FALSE;
        }
    }
    return TRUE;
  }

  if (strcmp (element, "s") == 0) {
    c->read = READ_STRV;
    c->kind = VALUE_STRING;
    c->strv = g_variant_get_strv (c->list, NULL);
    return TRUE;
  }

  /* anything else (av, aay, amx…): value by value, the kind from all of them */
  c->read = READ_VALUES;
  c->kind = VALUE_NULL;
  for (gsize i = 0; i < c->length; i++) {
    g_autoptr (GVariant) v = g_variant_get_child_value (c->list, i);
    g_autoptr (GVariant) inner = unwrap (v);
    ValueKind kind = value_kind (inner);

    if (!check_scalar (inner, kind, c->name, error))
      return FALSE;
    if (!merge_kind (&c->kind, kind)) {
      g_set_error (error, PULSE_STREAM_ERROR, PULSE_STREAM_ERROR_ENCODE,
          _ ("field \"%s\" holds both %s and %s values"), c->name, kind_name (c->kind),
          kind_name (kind));
      return FALSE;
    }
  }
  return TRUE;
}

static void
table_column_append (PulseRecordBatch *batch, TableColumn *c, gsize row)
{
  switch (c->read) {
    case READ_INT64:
      pulse_record_batch_append_int64 (batch, c->column, ((const gint64 *) c->fixed)[row]);
      break;
    case READ_INT32:
      pulse_record_batch_append_int64 (batch, c->column, ((const gint32 *) c->fixed)[row]);
      break;
    case READ_UINT32:
      pulse_record_batch_append_int64 (batch, c->column, ((const guint32 *) c->fixed)[row]);
      break;
    case READ_INT16:
      pulse_record_batch_append_int64 (batch, c->column, ((const gint16 *) c->fixed)[row]);
      break;
    case READ_UINT16:
      pulse_record_batch_append_int64 (batch, c->column, ((const guint16 *) c->fixed)[row]);
      break;
    case READ_BYTE:
      pulse_record_batch_append_int64 (batch, c->column, ((const guint8 *) c->fixed)[row]);
      break;
    case READ_DOUBLE:
      pulse_record_batch_append_double (batch, c->column, ((const gdouble *) c->fixed)[row]);
      break;
    case READ_BOOL:
      pulse_record_batch_append_boolean (batch, c->column, ((const guint8 *) c->fixed)[row] != 0);
      break;
    case READ_STRV: pulse_record_batch_append_string (batch, c->column, c->strv[row], -1); break;
    case READ_VALUES: {
      g_autoptr (GVariant) v = g_variant_get_child_value (c->list, row);
      g_autoptr (GVariant) inner = unwrap (v);
      append_value (batch, c->column, c->kind, inner);
      break;
    }
  }
}

/**
 * pulse_record_batch_new_from_columns:
 * @columns: a table: a map from column names to lists (`a{sv}` holding
 *   `ax`, `ad`, `as`, `ab`, `aay`, `av`…), or a list of (name, list)
 *   pairs `a(sv)`; a floating reference is sunk
 * @error: return location for a #GError
 *
 * Makes a batch of shape %PULSE_RECORD_SHAPE_TABLE from columns, as a
 * DataFrame holds them: `{"seq": [1, 2], "price": [10.5, 10.6]}` is two
 * records. Every list must have the same length, which is the row count.
 * Integer lists of any width make int64 columns, `ad` float64, `ab` bool,
 * `as` utf8 and `aay` binary; in an `av` (or a list of maybes) an empty
 * maybe is a null, and ints mixed with doubles make float64.
 *
 * Returns: (transfer full) (nullable): a new #PulseRecordBatch, or %NULL
 *   with @error set (%PULSE_STREAM_ERROR_ENCODE)
 */
PulseRecordBatch *
pulse_record_batch_new_from_columns (GVariant *columns, GError **error)
{
  g_autoptr (GVariant) owned = NULL;
  g_autoptr (GArray) cols = g_array_new (FALSE, TRUE, sizeof (TableColumn));
  g_autoptr (PulseRecordBatch) batch = pulse_record_batch_new ();
  gsize n_rows = 0;

  g_return_val_if_fail (columns != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  owned = g_variant_ref_sink (columns);
  g_array_set_clear_func (cols, table_column_clear);
  if (!is_map (columns) && !g_variant_is_of_type (columns, G_VARIANT_TYPE ("a(s*)"))) {
    g_set_error (error, PULSE_STREAM_ERROR, PULSE_STREAM_ERROR_ENCODE,
        _ ("a table is a map of columns a{sv} or a list of columns a(sv), not %s"),
        g_variant_get_type_string (columns));
    return NULL;
  }

  for (gsize i = 0, n = g_variant_n_children (columns); i < n; i++) {
    g_autoptr (GVariant) entry = g_variant_get_child_value (columns, i);
    g_autoptr (GVariant) v = g_variant_get_child_value (entry, 1);
    TableColumn c = { 0 };

    g_variant_get_child (entry, 0, "s", &c.name);
    c.list = unwrap (v);
    g_array_append_val (cols, c);
    if (!g_variant_is_of_type (c.list, G_VARIANT_TYPE_ARRAY) ||
        g_variant_is_of_type (c.list, G_VARIANT_TYPE ("a{?*}"))) {
      g_set_error (error, PULSE_STREAM_ERROR, PULSE_STREAM_ERROR_ENCODE,
          _ ("column \"%s\" is not a list but %s"), c.name, g_variant_get_type_string (c.list));
      return NULL;
    }
    if (!table_column_open (&g_array_index (cols, TableColumn, i), error))
      return NULL;
    if (i == 0)
      n_rows = g_array_index (cols, TableColumn, 0).length;
    else if (g_array_index (cols, TableColumn, i).length != n_rows) {
      g_set_error (error, PULSE_STREAM_ERROR, PULSE_STREAM_ERROR_ENCODE,
          _ ("the columns of a table must have one length, and \"%s\" has %zu values where "
             "\"%s\" has %zu"),
          c.name, g_array_index (cols, TableColumn, i).length,
          g_array_index (cols, TableColumn, 0).name, n_rows);
      return NULL;
    }
  }
  if (n_rows > G_MAXINT32) {
    g_set_error (
        error, PULSE_STREAM_ERROR, PULSE_STREAM_ERROR_ENCODE, _ ("too many records (%zu)"), n_rows);
    return NULL;
  }

  for (guint c = 0; c < cols->len; c++) {
    TableColumn *col = &g_array_index (cols, TableColumn, c);

    col->column = pulse_record_batch_add_column (batch, col->name, column_types[col->kind]);
    if (col->column < 0) {
      g_set_error (error, PULSE_STREAM_ERROR, PULSE_STREAM_ERROR_ENCODE,
          _ ("column \"%s\" appears twice in the table"), col->name);
      return NULL;
    }
  }
  for (gsize r = 0; r < n_rows; r++) {
    for (guint c = 0; c < cols->len; c++)
      table_column_append (batch, &g_array_index (cols, TableColumn, c), r);
    pulse_record_batch_end_row (batch);
  }
  pulse_record_batch_set_shape (batch, PULSE_RECORD_SHAPE_TABLE);
  return g_steal_pointer (&batch);
}
