/* PulseMQ — columnar record batches
 *
 * Each column owns one contiguous value array (fixed-width types) or an
 * offsets array plus one contiguous byte array (strings and binaries), and
 * a validity bitmap that is only allocated once a null is appended. That is
 * the Arrow layout, so the Arrow writer, msgpack and JSON can all walk a
 * column with a pointer and no per-record allocation.
 */
#include "config.h"

#include <math.h>
#include <string.h>

#include <pulsemq/pulsemq.h>
#include "pulse-private.h"

typedef struct {
  gchar *name;
  PulseColumnType type;
  guint length;
  guint null_count;
  guint8 *data; /* values, or the bytes of strings/binaries */
  gsize data_len;
  gsize data_cap;
  gboolean data_pooled; /* from _pulse_pool_realloc(), else g_malloc() */
  guint32 *offsets;     /* strings/binaries: length + 1 entries */
  gsize offsets_cap;
  guint8 *validity;   /* NULL while the column has no null */
  gsize validity_cap; /* in bytes */
} Column;

struct _PulseRecordBatch {
  gint ref_count;
  gboolean sealed;
  PulseRecordShape shape;
  guint n_rows;
  GArray *columns; /* of Column */
};

G_DEFINE_BOXED_TYPE (
    PulseRecordBatch, pulse_record_batch, pulse_record_batch_ref, pulse_record_batch_unref)

static void column_append_null (Column *c);
static void append_variable (Column *c, const guint8 *data, gsize length, gboolean valid);
static void set_validity (Column *c, gboolean valid);
static void ensure_data (Column *c, gsize extra);

static gboolean
column_is_variable (const Column *c)
{
  return c->type == PULSE_COLUMN_UTF8 || c->type == PULSE_COLUMN_BINARY;
}

static gsize
column_width (const Column *c)
{
  switch (c->type) {
    case PULSE_COLUMN_BOOL: return 1;
    case PULSE_COLUMN_UTF8:
    case PULSE_COLUMN_BINARY: return 0;
    default: return 8;
  }
}

static void
column_clear (Column *c)
{
  g_free (c->name);
  if (c->data_pooled)
    _pulse_pool_free (c->data);
  else
    g_free (c->data);
  g_free (c->offsets);
  g_free (c->validity);
}

/**
 * pulse_record_batch_new:
 *
 * Creates an empty batch with no columns and no rows.
 *
 * Returns: (transfer full): a new #PulseRecordBatch
 */
PulseRecordBatch *
pulse_record_batch_new (void)
{
  PulseRecordBatch *batch = g_new0 (PulseRecordBatch, 1);

  batch->ref_count = 1;
  batch->shape = PULSE_RECORD_SHAPE_ROWS;
  batch->columns = g_array_new (FALSE, TRUE, sizeof (Column));
  g_array_set_clear_func (batch->columns, (GDestroyNotify) column_clear);
  return batch;
}

/**
 * pulse_record_batch_ref:
 * @batch: a #PulseRecordBatch
 *
 * Returns: (transfer full): @batch, with one more reference
 */
PulseRecordBatch *
pulse_record_batch_ref (PulseRecordBatch *batch)
{
  g_return_val_if_fail (batch != NULL, NULL);

  g_atomic_int_inc (&batch->ref_count);
  return batch;
}

/**
 * pulse_record_batch_unref:
 * @batch: (transfer full): a #PulseRecordBatch
 *
 * Drops a reference; the last one frees the batch.
 */
void
pulse_record_batch_unref (PulseRecordBatch *batch)
{
  g_return_if_fail (batch != NULL);

  if (!g_atomic_int_dec_and_test (&batch->ref_count))
    return;
  g_array_unref (batch->columns);
  g_free (batch);
}

void
_pulse_record_batch_seal (PulseRecordBatch *batch)
{
  batch->sealed = TRUE;
}

/**
 * pulse_record_batch_is_sealed:
 * @batch: a #PulseRecordBatch
 *
 * Returns: %TRUE once the batch travels in a pushed buffer and may no
 * longer change
 */
gboolean
pulse_record_batch_is_sealed (PulseRecordBatch *batch)
{
  g_return_val_if_fail (batch != NULL, FALSE);
  return batch->sealed;
}

/**
 * pulse_record_batch_set_shape:
 * @batch: a #PulseRecordBatch
 * @shape: what the records were handed in as
 *
 * Records whether the batch stands for a map, a list of maps or a table.
 */
void
pulse_record_batch_set_shape (PulseRecordBatch *batch, PulseRecordShape shape)
{
  g_return_if_fail (batch != NULL);
  g_return_if_fail (!batch->sealed);
  batch->shape = shape;
}

/**
 * pulse_record_batch_get_shape:
 * @batch: a #PulseRecordBatch
 *
 * Returns: the shape set by pulse_record_batch_set_shape(), rows by default
 */
PulseRecordShape
pulse_record_batch_get_shape (PulseRecordBatch *batch)
{
  g_return_val_if_fail (batch != NULL, PULSE_RECORD_SHAPE_ROWS);
  return batch->shape;
}

static inline Column *
get_column (PulseRecordBatch *batch, guint column)
{
  return &g_array_index (batch->columns, Column, column);
}

/**
 * pulse_record_batch_add_column:
 * @batch: a #PulseRecordBatch
 * @name: the field name, unique in the batch
 * @type: the type of its values
 *
 * Adds a column. Rows already in the batch get a null in it.
 *
 * Returns: the column's index, or -1 if @name is already taken
 */
gint
pulse_record_batch_add_column (PulseRecordBatch *batch, const gchar *name, PulseColumnType type)
{
  Column c = { 0 };

  g_return_val_if_fail (batch != NULL, -1);
  g_return_val_if_fail (name != NULL, -1);
  g_return_val_if_fail (!batch->sealed, -1);
  g_return_val_if_fail (type <= PULSE_COLUMN_TIMESTAMP_NS, -1);

  if (pulse_record_batch_find_column (batch, name) >= 0)
    return -1;

  c.name = g_strdup (name);
  c.type = type;
  if (column_is_variable (&c)) {
    c.offsets_cap = 16;
    c.offsets = g_new0 (guint32, c.offsets_cap);
  }
  g_array_append_val (batch->columns, c);

  for (guint i = 0; i < batch->n_rows; i++)
    column_append_null (get_column (batch, batch->columns->len - 1));
  return batch->columns->len - 1;
}

/**
 * pulse_record_batch_get_n_columns:
 * @batch: a #PulseRecordBatch
 *
 * Returns: the number of columns
 */
guint
pulse_record_batch_get_n_columns (PulseRecordBatch *batch)
{
  g_return_val_if_fail (batch != NULL, 0);
  return batch->columns->len;
}

/**
 * pulse_record_batch_get_n_rows:
 * @batch: a #PulseRecordBatch
 *
 * Returns: the number of finished rows (records)
 */
guint
pulse_record_batch_get_n_rows (PulseRecordBatch *batch)
{
  g_return_val_if_fail (batch != NULL, 0);
  return batch->n_rows;
}

/**
 * pulse_record_batch_find_column:
 * @batch: a #PulseRecordBatch
 * @name: a field name
 *
 * Returns: the index of the column called @name, or -1
 */
gint
pulse_record_batch_find_column (PulseRecordBatch *batch, const gchar *name)
{
  g_return_val_if_fail (batch != NULL, -1);
  g_return_val_if_fail (name != NULL, -1);

  for (guint i = 0; i < batch->columns->len; i++)
    if (strcmp (get_column (batch, i)->name, name) == 0)
      return i;
  return -1;
}

/**
 * pulse_record_batch_get_column_name:
 * @batch: a #PulseRecordBatch
 * @column: a column index
 *
 * Returns: (transfer none): the column's field name
 */
const gchar *
pulse_record_batch_get_column_name (PulseRecordBatch *batch, guint column)
{
  g_return_val_if_fail (batch != NULL, NULL);
  g_return_val_if_fail (column < batch->columns->len, NULL);
  return get_column (batch, column)->name;
}

/**
 * pulse_record_batch_get_column_type:
 * @batch: a #PulseRecordBatch
 * @column: a column index
 *
 * Returns: the column's type
 */
PulseColumnType
pulse_record_batch_get_column_type (PulseRecordBatch *batch, guint column)
{
  g_return_val_if_fail (batch != NULL, PULSE_COLUMN_INT64);
  g_return_val_if_fail (column < batch->columns->len, PULSE_COLUMN_INT64);
  return get_column (batch, column)->type;
}

/* Column storage of 8 kB and more comes from the payload pool, so the
 * columns of a batch freed after serializing fill the next batch while
 * still mapped; a column taken over from a decoder stays its own. */
static void
column_grow (Column *c, gsize cap)
{
  if (c->data == NULL || c->data_pooled) {
    c->data = _pulse_pool_realloc (c->data, c->data_len, cap, &c->data_cap);
    c->data_pooled = TRUE;
  } else {
    c->data = g_realloc (c->data, cap);
    c->data_cap = cap;
  }
}

static void
ensure_data (Column *c, gsize extra)
{
  gsize need = c->data_len + extra;

  if (G_LIKELY (need <= c->data_cap && c->data != NULL))
    return;
  column_grow (c, MAX (MAX (c->data_cap * 2, need), 64));
}

/* Marks the value about to be appended at index c->length as valid or
 * null. The bitmap exists only once a column has a null. */
static void
set_validity (Column *c, gboolean valid)
{
  gsize byte = c->length / 8;

  /* every null passes here, whichever append made it */
  if (!valid)
    c->null_count++;

  if (valid && c->validity == NULL)
    return;
  if (c->validity == NULL) {
    c->validity_cap = MAX (16, (gsize) c->length / 4 + 1);
    c->validity = g_malloc (c->validity_cap);
    memset (c->validity, 0xff, c->validity_cap);
  } else if (byte >= c->validity_cap) {
    gsize old = c->validity_cap;
    c->validity_cap = MAX (old * 2, byte + 1);
    c->validity = g_realloc (c->validity, c->validity_cap);
    memset (c->validity + old, 0xff, c->validity_cap - old);
  }
  if (valid)
    c->validity[byte] |= 1u << (c->length % 8);
  else
    c->validity[byte] &= ~(1u << (c->length % 8));
}

static gboolean
check_append (PulseRecordBatch *batch, guint column, PulseColumnType type1, PulseColumnType type2)
{
  Column *c;

  g_return_val_if_fail (batch != NULL, FALSE);
  g_return_val_if_fail (!batch->sealed, FALSE);
  g_return_val_if_fail (column < batch->columns->len, FALSE);
  c = get_column (batch, column);
  g_return_val_if_fail (c->type == type1 || c->type == type2, FALSE);
  /* one value per column per row: end_row() closes the row */
  g_return_val_if_fail (c->length == batch->n_rows, FALSE);
  return TRUE;
}

static void
append_fixed (PulseRecordBatch *batch, guint column, const void *value, gsize width)
{
  Column *c = get_column (batch, column);

  ensure_data (c, width);
  memcpy (c->data + c->data_len, value, width);
  c->data_len += width;
  set_validity (c, TRUE);
  c->length++;
}

static void
append_variable (Column *c, const guint8 *data, gsize length, gboolean valid)
{
  if (c->length + 2 > c->offsets_cap) {
    c->offsets_cap *= 2;
    c->offsets = g_renew (guint32, c->offsets, c->offsets_cap);
  }
  if (c->data_len + length > G_MAXINT32) {
    /* Arrow's utf8/binary offsets are 32-bit: 2 GiB per column */
    g_critical ("column \"%s\" exceeds 2 GiB", c->name);
    length = 0;
    valid = FALSE;
  }
  ensure_data (c, length);
  if (length > 0)
    memcpy (c->data + c->data_len, data, length);
  c->data_len += length;
  c->offsets[c->length + 1] = c->data_len;
  set_validity (c, valid);
  c->length++;
}

/**
 * pulse_record_batch_append_int64:
 * @batch: a #PulseRecordBatch
 * @column: an int64 or timestamp column
 * @value: the value
 *
 * Sets @column of the current row.
 */
void
pulse_record_batch_append_int64 (PulseRecordBatch *batch, guint column, gint64 value)
{
  if (!check_append (batch, column, PULSE_COLUMN_INT64, PULSE_COLUMN_TIMESTAMP_NS))
    return;
  append_fixed (batch, column, &value, sizeof value);
}

/**
 * pulse_record_batch_append_timestamp:
 * @batch: a #PulseRecordBatch
 * @column: a timestamp column
 * @ns: nanoseconds since the Unix epoch
 *
 * Sets @column of the current row.
 */
void
pulse_record_batch_append_timestamp (PulseRecordBatch *batch, guint column, gint64 ns)
{
  if (!check_append (batch, column, PULSE_COLUMN_TIMESTAMP_NS, PULSE_COLUMN_INT64))
    return;
  append_fixed (batch, column, &ns, sizeof ns);
}

/**
 * pulse_record_batch_append_double:
 * @batch: a #PulseRecordBatch
 * @column: a float64 column
 * @value: the value
 *
 * Sets @column of the current row.
 */
void
pulse_record_batch_append_double (PulseRecordBatch *batch, guint column, gdouble value)
{
  if (!check_append (batch, column, PULSE_COLUMN_FLOAT64, PULSE_COLUMN_FLOAT64))
    return;
  append_fixed (batch, column, &value, sizeof value);
}

/**
 * pulse_record_batch_append_boolean:
 * @batch: a #PulseRecordBatch
 * @column: a bool column
 * @value: the value
 *
 * Sets @column of the current row.
 */
void
pulse_record_batch_append_boolean (PulseRecordBatch *batch, guint column, gboolean value)
{
  guint8 v = value ? 1 : 0;

  if (!check_append (batch, column, PULSE_COLUMN_BOOL, PULSE_COLUMN_BOOL))
    return;
  append_fixed (batch, column, &v, 1);
}

/**
 * pulse_record_batch_append_string:
 * @batch: a #PulseRecordBatch
 * @column: a utf8 column
 * @value: (nullable): UTF-8 text, or %NULL for a null
 * @length: the length of @value in bytes, or -1 if it is NUL-terminated
 *
 * Sets @column of the current row. The text is copied.
 */
void
pulse_record_batch_append_string (
    PulseRecordBatch *batch, guint column, const gchar *value, gssize length)
{
  if (!check_append (batch, column, PULSE_COLUMN_UTF8, PULSE_COLUMN_UTF8))
    return;
  if (value == NULL) {
    append_variable (get_column (batch, column), NULL, 0, FALSE);
    return;
  }
  if (length < 0)
    length = strlen (value);
  append_variable (get_column (batch, column), (const guint8 *) value, length, TRUE);
}

/**
 * pulse_record_batch_append_binary:
 * @batch: a #PulseRecordBatch
 * @column: a binary column
 * @data: (array length=length) (nullable): the bytes
 * @length: how many bytes
 *
 * Sets @column of the current row. The bytes are copied.
 */
void
pulse_record_batch_append_binary (
    PulseRecordBatch *batch, guint column, const guint8 *data, gsize length)
{
  if (!check_append (batch, column, PULSE_COLUMN_BINARY, PULSE_COLUMN_BINARY))
    return;
  g_return_if_fail (data != NULL || length == 0);
  append_variable (get_column (batch, column), data, length, TRUE);
}

/**
 * pulse_record_batch_append_null:
 * @batch: a #PulseRecordBatch
 * @column: a column of any type
 *
 * Sets @column of the current row to null.
 */
void
pulse_record_batch_append_null (PulseRecordBatch *batch, guint column)
{
  Column *c;

  g_return_if_fail (batch != NULL);
  g_return_if_fail (!batch->sealed);
  g_return_if_fail (column < batch->columns->len);
  c = get_column (batch, column);
  g_return_if_fail (c->length == batch->n_rows);
  column_append_null (c);
}

static void
column_append_null (Column *c)
{
  if (column_is_variable (c)) {
    append_variable (c, NULL, 0, FALSE);
  } else {
    gsize width = column_width (c);
    ensure_data (c, width);
    memset (c->data + c->data_len, 0, width);
    c->data_len += width;
    set_validity (c, FALSE);
    c->length++;
  }
}

/**
 * pulse_record_batch_end_row:
 * @batch: a #PulseRecordBatch
 *
 * Finishes the current row: columns that got no value in it get a null.
 */
void
pulse_record_batch_end_row (PulseRecordBatch *batch)
{
  g_return_if_fail (batch != NULL);
  g_return_if_fail (!batch->sealed);

  for (guint i = 0; i < batch->columns->len; i++)
    if (get_column (batch, i)->length == batch->n_rows)
      pulse_record_batch_append_null (batch, i);
  batch->n_rows++;
}

/* ---- whole runs of values ----------------------------------------------------- */

/**
 * pulse_record_batch_reserve:
 * @batch: a #PulseRecordBatch
 * @n_rows: rows the caller is about to add
 * @string_bytes: bytes of text or binary data each string or binary column
 *   is about to receive, or 0 if unknown
 *
 * Makes room for @n_rows more rows in every column, so that the appends
 * that follow never reallocate. Only an optimisation: columns grow on
 * their own.
 */
void
pulse_record_batch_reserve (PulseRecordBatch *batch, guint n_rows, gsize string_bytes)
{
  g_return_if_fail (batch != NULL);
  g_return_if_fail (!batch->sealed);

  for (guint i = 0; i < batch->columns->len; i++) {
    Column *c = get_column (batch, i);
    gsize need;

    if (column_is_variable (c)) {
      need = (gsize) c->length + n_rows + 1;
      if (need > c->offsets_cap) {
        c->offsets_cap = need;
        c->offsets = g_renew (guint32, c->offsets, c->offsets_cap);
      }
      need = c->data_len + string_bytes;
    } else {
      need = c->data_len + (gsize) n_rows * column_width (c);
    }
    if (need > c->data_cap || c->data == NULL)
      column_grow (c, MAX (need, 64));
  }
}

/* A run of values may go into a column that is ahead of the rows (a
 * column filled before the others); end_rows() then closes the rows. */
static Column *
check_append_values (
    PulseRecordBatch *batch, guint column, PulseColumnType type1, PulseColumnType type2, guint n)
{
  Column *c;

  g_return_val_if_fail (batch != NULL, NULL);
  g_return_val_if_fail (!batch->sealed, NULL);
  g_return_val_if_fail (column < batch->columns->len, NULL);
  c = get_column (batch, column);
  g_return_val_if_fail (c->type == type1 || c->type == type2, NULL);
  g_return_val_if_fail (c->length >= batch->n_rows, NULL);
  g_return_val_if_fail (n <= G_MAXUINT - c->length, NULL);
  return c;
}

/* the n values just appended are valid */
static void
set_valid_run (Column *c, guint n)
{
  c->length += n;
  if (c->validity == NULL)
    return;
  if ((gsize) c->length / 8 + 1 > c->validity_cap) {
    gsize old = c->validity_cap;
    c->validity_cap = MAX (old * 2, (gsize) c->length / 8 + 1);
    c->validity = g_realloc (c->validity, c->validity_cap);
    memset (c->validity + old, 0xff, c->validity_cap - old);
  }
  for (guint row = c->length - n; row < c->length; row++)
    c->validity[row / 8] |= 1u << (row % 8);
}

static void
append_fixed_run (Column *c, const void *values, guint n, gsize width)
{
  ensure_data (c, (gsize) n * width);
  if (n > 0)
    memcpy (c->data + c->data_len, values, (gsize) n * width);
  c->data_len += (gsize) n * width;
  set_valid_run (c, n);
}

/**
 * pulse_record_batch_append_int64_values:
 * @batch: a #PulseRecordBatch
 * @column: an int64 or timestamp column
 * @values: (array length=n_values): the values
 * @n_values: how many
 *
 * Appends @n_values values to @column with one copy: the column may run
 * ahead of the other columns until pulse_record_batch_end_rows() closes
 * the rows. The fast way to fill a batch from arrays.
 */
void
pulse_record_batch_append_int64_values (
    PulseRecordBatch *batch, guint column, const gint64 *values, guint n_values)
{
  Column *c = check_append_values (
      batch, column, PULSE_COLUMN_INT64, PULSE_COLUMN_TIMESTAMP_NS, n_values);

  if (c == NULL)
    return;
  g_return_if_fail (values != NULL || n_values == 0);
  append_fixed_run (c, values, n_values, sizeof (gint64));
}

/**
 * pulse_record_batch_append_double_values:
 * @batch: a #PulseRecordBatch
 * @column: a float64 column
 * @values: (array length=n_values): the values
 * @n_values: how many
 *
 * As pulse_record_batch_append_int64_values(), for a float64 column.
 */
void
pulse_record_batch_append_double_values (
    PulseRecordBatch *batch, guint column, const gdouble *values, guint n_values)
{
  Column *c = check_append_values (
      batch, column, PULSE_COLUMN_FLOAT64, PULSE_COLUMN_FLOAT64, n_values);

  if (c == NULL)
    return;
  g_return_if_fail (values != NULL || n_values == 0);
  append_fixed_run (c, values, n_values, sizeof (gdouble));
}

/**
 * pulse_record_batch_append_string_values:
 * @batch: a #PulseRecordBatch
 * @column: a utf8 or binary column
 * @data: (array length=data_len) (element-type guint8): the bytes of all
 *   the values, one after another
 * @data_len: the length of @data
 * @offsets: (array length=n_offsets): where each value starts in @data,
 *   and after the last one where it ends (Arrow's layout): value i is
 *   @data[@offsets[i] … @offsets[i + 1])
 * @n_offsets: the number of values plus one
 *
 * Appends @n_offsets − 1 strings (or binaries) to @column with one copy
 * of their bytes, as pulse_record_batch_append_int64_values() does for
 * numbers. Offsets that go backwards or past @data_len are refused with a
 * critical warning and append nothing.
 */
void
pulse_record_batch_append_string_values (PulseRecordBatch *batch, guint column, const gchar *data,
    gsize data_len, const gint32 *offsets, guint n_offsets)
{
  Column *c;
  guint n;
  gsize bytes, base;

  g_return_if_fail (offsets != NULL && n_offsets >= 1);
  n = n_offsets - 1;
  c = check_append_values (batch, column, PULSE_COLUMN_UTF8, PULSE_COLUMN_BINARY, n);
  if (c == NULL)
    return;
  for (guint i = 0; i < n; i++)
    g_return_if_fail (offsets[i] >= 0 && offsets[i] <= offsets[i + 1]);
  g_return_if_fail (offsets[0] >= 0 && (gsize) offsets[n] <= data_len);
  g_return_if_fail (data != NULL || offsets[n] == 0);
  bytes = (gsize) (offsets[n] - offsets[0]);
  if (c->data_len + bytes > G_MAXINT32) {
    /* Arrow's utf8/binary offsets are 32-bit: 2 GiB per column */
    g_critical ("column \"%s\" exceeds 2 GiB", c->name);
    return;
  }

  if ((gsize) c->length + n + 1 > c->offsets_cap) {
    c->offsets_cap = MAX (c->offsets_cap * 2, (gsize) c->length + n + 1);
    c->offsets = g_renew (guint32, c->offsets, c->offsets_cap);
  }
  ensure_data (c, bytes);
  if (bytes > 0)
    memcpy (c->data + c->data_len, data + offsets[0], bytes);
  base = c->data_len - (gsize) offsets[0];
  for (guint i = 1; i <= n; i++)
    c->offsets[c->length + i] = (guint32) (base + (gsize) offsets[i]);
  c->data_len += bytes;
  set_valid_run (c, n);
}

/**
 * pulse_record_batch_end_rows:
 * @batch: a #PulseRecordBatch
 * @n_rows: how many rows to finish
 *
 * Finishes @n_rows rows at once, after runs of values were appended with
 * pulse_record_batch_append_int64_values() and its siblings: columns that
 * got fewer values get nulls. A column that got more values than @n_rows
 * rows hold is refused with a critical warning, and nothing changes.
 */
void
pulse_record_batch_end_rows (PulseRecordBatch *batch, guint n_rows)
{
  guint total;

  g_return_if_fail (batch != NULL);
  g_return_if_fail (!batch->sealed);
  g_return_if_fail (n_rows <= G_MAXUINT - batch->n_rows);

  total = batch->n_rows + n_rows;
  for (guint i = 0; i < batch->columns->len; i++)
    g_return_if_fail (get_column (batch, i)->length <= total);
  for (guint i = 0; i < batch->columns->len; i++) {
    Column *c = get_column (batch, i);
    while (c->length < total)
      column_append_null (c);
  }
  batch->n_rows = total;
}

static Column *
check_get (PulseRecordBatch *batch, guint column, guint row)
{
  g_return_val_if_fail (batch != NULL, NULL);
  g_return_val_if_fail (column < batch->columns->len, NULL);
  g_return_val_if_fail (row < get_column (batch, column)->length, NULL);
  return get_column (batch, column);
}

static inline gboolean
column_is_null (const Column *c, guint row)
{
  return c->validity != NULL && !(c->validity[row / 8] & (1u << (row % 8)));
}

/**
 * pulse_record_batch_is_null:
 * @batch: a #PulseRecordBatch
 * @column: a column index
 * @row: a row index
 *
 * Returns: %TRUE if the value is null
 */
gboolean
pulse_record_batch_is_null (PulseRecordBatch *batch, guint column, guint row)
{
  Column *c = check_get (batch, column, row);

  g_return_val_if_fail (c != NULL, TRUE);
  return column_is_null (c, row);
}

/**
 * pulse_record_batch_get_int64:
 * @batch: a #PulseRecordBatch
 * @column: an int64 or timestamp column
 * @row: a row index
 *
 * Returns: the value (0 for a null)
 */
gint64
pulse_record_batch_get_int64 (PulseRecordBatch *batch, guint column, guint row)
{
  Column *c = check_get (batch, column, row);
  gint64 v;

  g_return_val_if_fail (c != NULL, 0);
  g_return_val_if_fail (c->type == PULSE_COLUMN_INT64 || c->type == PULSE_COLUMN_TIMESTAMP_NS, 0);
  memcpy (&v, c->data + (gsize) row * 8, 8);
  return v;
}

/**
 * pulse_record_batch_get_double:
 * @batch: a #PulseRecordBatch
 * @column: a float64 column
 * @row: a row index
 *
 * Returns: the value (0 for a null)
 */
gdouble
pulse_record_batch_get_double (PulseRecordBatch *batch, guint column, guint row)
{
  Column *c = check_get (batch, column, row);
  gdouble v;

  g_return_val_if_fail (c != NULL, 0);
  g_return_val_if_fail (c->type == PULSE_COLUMN_FLOAT64, 0);
  memcpy (&v, c->data + (gsize) row * 8, 8);
  return v;
}

/**
 * pulse_record_batch_get_boolean:
 * @batch: a #PulseRecordBatch
 * @column: a bool column
 * @row: a row index
 *
 * Returns: the value (%FALSE for a null)
 */
gboolean
pulse_record_batch_get_boolean (PulseRecordBatch *batch, guint column, guint row)
{
  Column *c = check_get (batch, column, row);

  g_return_val_if_fail (c != NULL, FALSE);
  g_return_val_if_fail (c->type == PULSE_COLUMN_BOOL, FALSE);
  return c->data[row] != 0;
}

/**
 * pulse_record_batch_peek_string: (skip)
 * @batch: a #PulseRecordBatch
 * @column: a utf8 or binary column
 * @row: a row index
 * @length: (out): the length in bytes
 *
 * Looks at a string in place. The text is not NUL-terminated.
 *
 * Returns: (transfer none) (nullable): the bytes, or %NULL for a null
 */
const gchar *
pulse_record_batch_peek_string (PulseRecordBatch *batch, guint column, guint row, gsize *length)
{
  Column *c = check_get (batch, column, row);

  *length = 0;
  g_return_val_if_fail (c != NULL, NULL);
  g_return_val_if_fail (column_is_variable (c), NULL);
  if (column_is_null (c, row))
    return NULL;
  *length = c->offsets[row + 1] - c->offsets[row];
  /* a column that only ever held empty values has no data array */
  if (c->data == NULL)
    return "";
  return (const gchar *) c->data + c->offsets[row];
}

/**
 * pulse_record_batch_dup_string:
 * @batch: a #PulseRecordBatch
 * @column: a utf8 column
 * @row: a row index
 *
 * Returns: (transfer full) (nullable): a copy of the text, or %NULL for a null
 */
gchar *
pulse_record_batch_dup_string (PulseRecordBatch *batch, guint column, guint row)
{
  gsize len;
  const gchar *s = pulse_record_batch_peek_string (batch, column, row, &len);

  return s != NULL ? g_strndup (s, len) : NULL;
}

/**
 * pulse_record_batch_get_binary:
 * @batch: a #PulseRecordBatch
 * @column: a binary or utf8 column
 * @row: a row index
 *
 * Returns: (transfer full) (nullable): a copy of the bytes, or %NULL for a null
 */
GBytes *
pulse_record_batch_get_binary (PulseRecordBatch *batch, guint column, guint row)
{
  gsize len;
  const gchar *s = pulse_record_batch_peek_string (batch, column, row, &len);

  return s != NULL ? g_bytes_new (s, len) : NULL;
}

/**
 * pulse_record_batch_get_byte_size:
 * @batch: a #PulseRecordBatch
 *
 * Returns: how many bytes the values occupy (an estimate of the raw size)
 */
gsize
pulse_record_batch_get_byte_size (PulseRecordBatch *batch)
{
  gsize size = 0;

  g_return_val_if_fail (batch != NULL, 0);
  for (guint i = 0; i < batch->columns->len; i++) {
    Column *c = get_column (batch, i);
    size += c->data_len;
    if (column_is_variable (c))
      size += (gsize) c->length * 4;
  }
  return size;
}

static void
write_value (GString *out, const Column *c, guint row)
{
  if (column_is_null (c, row)) {
    g_string_append (out, "null");
    return;
  }
  switch (c->type) {
    case PULSE_COLUMN_INT64:
    case PULSE_COLUMN_TIMESTAMP_NS: {
      gint64 v;
      memcpy (&v, c->data + (gsize) row * 8, 8);
      g_string_append_printf (out, "%" G_GINT64_FORMAT, v);
      break;
    }
    case PULSE_COLUMN_FLOAT64: {
      gdouble v;
      memcpy (&v, c->data + (gsize) row * 8, 8);
      _pulse_json_append_double (out, v);
      break;
    }
    case PULSE_COLUMN_BOOL: g_string_append (out, c->data[row] ? "true" : "false"); break;
    case PULSE_COLUMN_UTF8:
      _pulse_json_append_string (
          out, (const gchar *) c->data + c->offsets[row], c->offsets[row + 1] - c->offsets[row]);
      break;
    case PULSE_COLUMN_BINARY: {
      /* JSON has no bytes: base64, as a string */
      g_autofree gchar *b64 = g_base64_encode (
          c->data + c->offsets[row], c->offsets[row + 1] - c->offsets[row]);
      g_string_append_c (out, '"');
      g_string_append (out, b64);
      g_string_append_c (out, '"');
      break;
    }
  }
}

static void
write_row (PulseRecordBatch *batch, GString *out, guint row)
{
  g_string_append_c (out, '{');
  for (guint i = 0; i < batch->columns->len; i++) {
    Column *c = get_column (batch, i);
    if (i > 0)
      g_string_append_c (out, ',');
    _pulse_json_append_string (out, c->name, strlen (c->name));
    g_string_append_c (out, ':');
    write_value (out, c, row);
  }
  g_string_append_c (out, '}');
}

/**
 * pulse_record_batch_write_json: (skip)
 * @batch: a #PulseRecordBatch
 * @out: a string to append to
 *
 * Appends the records as compact JSON: a map-shaped batch as one object,
 * otherwise an array of row objects.
 */
void
pulse_record_batch_write_json (PulseRecordBatch *batch, GString *out)
{
  g_return_if_fail (batch != NULL);
  g_return_if_fail (out != NULL);

  if (batch->shape == PULSE_RECORD_SHAPE_MAP && batch->n_rows == 1) {
    write_row (batch, out, 0);
    return;
  }
  g_string_append_c (out, '[');
  for (guint r = 0; r < batch->n_rows; r++) {
    if (r > 0)
      g_string_append_c (out, ',');
    write_row (batch, out, r);
  }
  g_string_append_c (out, ']');
}

/**
 * pulse_record_batch_to_json:
 * @batch: a #PulseRecordBatch
 *
 * Returns: (transfer full): the records as compact JSON text, see
 * pulse_record_batch_write_json()
 */
gchar *
pulse_record_batch_to_json (PulseRecordBatch *batch)
{
  GString *out;

  g_return_val_if_fail (batch != NULL, NULL);
  out = g_string_new (NULL);
  pulse_record_batch_write_json (batch, out);
  return g_string_free (out, FALSE);
}

/* ---- raw column access for the Arrow codec ------------------------------ */

/* The Arrow writer copies whole arrays and the reader builds whole columns:
 * going through the per-value API would cost a check per value. */
void
_pulse_record_batch_peek_arrays (PulseRecordBatch *batch, guint column, PulseColumnArrays *arrays)
{
  Column *c;

  g_return_if_fail (batch != NULL);
  g_return_if_fail (column < batch->columns->len);
  c = get_column (batch, column);
  arrays->data = c->data;
  arrays->data_len = c->data_len;
  arrays->offsets = column_is_variable (c) ? c->offsets : NULL;
  arrays->validity = c->validity;
}

/* Adds a column made of arrays in the batch's layout and takes them over;
 * every column must have the batch's row count once
 * _pulse_record_batch_set_n_rows() is called. The null count comes from
 * the bitmap, which is dropped when it has no null. */
gint
_pulse_record_batch_take_column (PulseRecordBatch *batch, const gchar *name, PulseColumnType type,
    guint length, guint8 *data, gsize data_len, guint32 *offsets, guint8 *validity,
    gsize validity_len)
{
  Column c = { 0 };

  g_return_val_if_fail (batch != NULL, -1);
  g_return_val_if_fail (!batch->sealed, -1);
  g_return_val_if_fail (validity == NULL || validity_len >= (length + 7) / 8, -1);
  if (pulse_record_batch_find_column (batch, name) >= 0) {
    g_free (data);
    g_free (offsets);
    g_free (validity);
    return -1;
  }

  c.name = g_strdup (name);
  c.type = type;
  c.length = length;
  /* a column of empty strings has no bytes, but its readers add offsets
   * to the pointer: never NULL */
  c.data = data != NULL ? data : g_malloc0 (8);
  c.data_len = c.data_cap = data_len;
  if (column_is_variable (&c)) {
    g_return_val_if_fail (offsets != NULL, -1);
    c.offsets = offsets;
    c.offsets_cap = (gsize) length + 1;
  } else {
    g_free (offsets);
  }
  if (validity != NULL) {
    for (guint i = 0; i < length; i++)
      if (!(validity[i / 8] & (1u << (i % 8))))
        c.null_count++;
    if (c.null_count == 0) {
      g_free (validity);
      validity = NULL;
      validity_len = 0;
    }
  }
  c.validity = validity;
  c.validity_cap = validity_len;
  g_array_append_val (batch->columns, c);
  return batch->columns->len - 1;
}

void
_pulse_record_batch_set_n_rows (PulseRecordBatch *batch, guint n_rows)
{
  g_return_if_fail (batch != NULL);
  g_return_if_fail (!batch->sealed);
  for (guint i = 0; i < batch->columns->len; i++)
    g_return_if_fail (get_column (batch, i)->length == n_rows);
  batch->n_rows = n_rows;
}

/* ---- concatenation, for the batch element ------------------------------- */

/* Same field names and types in the same order: the batches can be
 * concatenated column by column. */
gboolean
_pulse_record_batch_same_schema (PulseRecordBatch *a, PulseRecordBatch *b)
{
  g_return_val_if_fail (a != NULL && b != NULL, FALSE);
  if (a == b)
    return TRUE;
  if (a->columns->len != b->columns->len)
    return FALSE;
  for (guint i = 0; i < a->columns->len; i++) {
    Column *ca = get_column (a, i), *cb = get_column (b, i);
    if (ca->type != cb->type || strcmp (ca->name, cb->name) != 0)
      return FALSE;
  }
  return TRUE;
}

/* The string or binary bytes that rows [first, first + n) of a variable
 * column occupy, so that a caller can keep a concatenation under the 2 GiB
 * that 32-bit offsets allow; 0 for other columns. */
gsize
_pulse_record_batch_slice_data_len (PulseRecordBatch *batch, guint column, guint first, guint n)
{
  Column *c;

  g_return_val_if_fail (batch != NULL, 0);
  g_return_val_if_fail (column < batch->columns->len, 0);
  c = get_column (batch, column);
  g_return_val_if_fail ((gsize) first + n <= c->length, 0);
  if (!column_is_variable (c))
    return 0;
  return c->offsets[first + n] - c->offsets[first];
}

/* Makes room for @extra more bits in the bitmap of @c, which exists; bits
 * at and past c->length are always 1 (valid). */
static void
reserve_validity (Column *c, gsize extra)
{
  gsize need = ((gsize) c->length + extra + 7) / 8;
  gsize old = c->validity_cap;

  if (need <= old)
    return;
  c->validity_cap = MAX (old * 2, need);
  c->validity = g_realloc (c->validity, c->validity_cap);
  memset (c->validity + old, 0xff, c->validity_cap - old);
}

static void
append_column_slice (Column *out, const Column *c, guint first, guint n, guint reserve)
{
  gsize width = column_width (c);

  if (column_is_variable (c)) {
    const guint32 *src = c->offsets + first;
    guint32 start = src[0];
    guint32 len = src[n] - start;
    guint32 base = out->data_len;

    if ((gsize) out->length + n + 1 > out->offsets_cap) {
      out->offsets_cap = MAX (
          MAX (out->offsets_cap * 2, (gsize) out->length + n + 1), (gsize) reserve + 1);
      out->offsets = g_renew (guint32, out->offsets, out->offsets_cap);
    }
    /* guess the strings of a whole batch from these ones */
    if (out->data == NULL && n > 0)
      ensure_data (out, MAX (len, (gsize) len / n * reserve));
    else
      ensure_data (out, len);
    /* rebase: the slice's first string starts where the copied ones end */
    for (guint i = 1; i <= n; i++)
      out->offsets[out->length + i] = src[i] - start + base;
    if (len > 0)
      memcpy (out->data + out->data_len, c->data + start, len);
    out->data_len += len;
  } else {
    gsize len = (gsize) n * width;

    ensure_data (out, out->data == NULL ? MAX (len, (gsize) reserve * width) : len);
    memcpy (out->data + out->data_len, c->data + (gsize) first * width, len);
    out->data_len += len;
  }

  /* the bitmap only exists once a value is null: bit by bit, only then */
  if (c->validity != NULL) {
    if (out->validity == NULL) {
      out->validity_cap = MAX (16, ((gsize) out->length + n + 7) / 8);
      out->validity = g_malloc (out->validity_cap);
      memset (out->validity, 0xff, out->validity_cap);
    }
    reserve_validity (out, n);
    for (guint i = 0; i < n; i++)
      if (column_is_null (c, first + i)) {
        guint row = out->length + i;
        out->validity[row / 8] &= ~(1u << (row % 8));
        out->null_count++;
      }
  } else if (out->validity != NULL) {
    reserve_validity (out, n);
  }
  out->length += n;
}

/* Appends rows [first_row, first_row + n_rows) of @slice->batch to @dest,
 * with one memcpy per column: string offsets are rebased and null bitmaps
 * merged. An empty @dest (no column, no row) takes the slice's schema and
 * makes room for @reserve rows at once; otherwise the schemas must be the
 * same (_pulse_record_batch_same_schema()) and the strings of a column
 * must stay within 32-bit offsets (_pulse_record_batch_slice_data_len()). */
void
_pulse_record_batch_append_slice (
    PulseRecordBatch *dest, const PulseBatchSlice *slice, guint reserve)
{
  PulseRecordBatch *src;

  g_return_if_fail (dest != NULL && slice != NULL);
  g_return_if_fail (!dest->sealed);
  src = slice->batch;
  g_return_if_fail ((guint64) slice->first_row + slice->n_rows <= src->n_rows);
  g_return_if_fail ((guint64) dest->n_rows + slice->n_rows <= G_MAXUINT32);

  if (dest->columns->len == 0 && dest->n_rows == 0) {
    for (guint i = 0; i < src->columns->len; i++)
      pulse_record_batch_add_column (dest, get_column (src, i)->name, get_column (src, i)->type);
  }
  g_return_if_fail (_pulse_record_batch_same_schema (dest, src));
  for (guint i = 0; i < src->columns->len; i++)
    append_column_slice (
        get_column (dest, i), get_column (src, i), slice->first_row, slice->n_rows, reserve);
  dest->n_rows += slice->n_rows;
}
