/* PulseMQ — the msgpack serializer
 *
 * Encoding writes the bytes msgspec and msgpack-python write
 * (ORIGINAL-PULSEMQ.md §1.6): integers in their smallest form, floats
 * always as float64, str for text, bin for bytes, maps in column order. A
 * map-shaped batch is one map; rows and tables are an array of row maps.
 * Batches are the hot path: the output size is bounded from the column
 * lengths, one buffer is allocated for the whole batch and msgpack-c's
 * packer writes into it through an inlined callback, with no allocation
 * per record and no detour through GVariant. The buffer becomes the
 * GBytes without a copy.
 *
 * Decoding tries the fast path first (see fast_decode()): a flat table —
 * the market-data case — is read byte by byte straight into columns, with
 * no msgpack-c objects, several times faster than msgpack_unpack_next()
 * alone. Anything else falls through to the general path:
 *
 * The general path first walks the payload once without allocating, checking
 * every declared length against the bytes that are really there, the
 * nesting depth and trailing bytes, so that msgpack-c (which allocates an
 * array as soon as it reads its header) never sees a forged count. Then
 * msgpack_unpack() builds objects in a zone, and the result becomes:
 *
 * - a #PulseRecordBatch when it is flat: a map with string keys and
 *   scalar values (one row, shape MAP), or an array of such maps (shape
 *   ROWS, also for an empty array). Columns are the union of keys in
 *   first-seen order; a missing key is a null; int and float mixed in one
 *   column give float64; a column of nulls only is int64.
 * - a #GVariant value tree otherwise, with the types documented on
 *   #PulseBuffer: nil is an empty `mv`, integers `x` (`t` above the int64
 *   range), floats `d`, str `s`, bin `ay`, arrays `av`, maps with only
 *   string keys `a{sv}`. A map with any other key (msgpack allows them)
 *   becomes `a(vv)`, a list of key/value pairs whose keys keep their type,
 *   and encodes back as a map: writing keys as text would change them.
 *
 * What a value tree cannot hold is refused: ext types, str that is not
 * UTF-8, and a NUL character inside a key or a nested string (batch
 * columns hold any string). Duplicate keys make a map non-flat.
 *
 * msgpack-c's unpacker has a fixed stack of MSGPACK_EMBED_STACK_SIZE (32)
 * open containers, so that is our depth limit too; the walk reports it
 * clearly before msgpack-c would fail with a bare parse error.
 */
#include "config.h"

#include <inttypes.h>

#include <string.h>

#include <glib/gi18n-lib.h>
#include <msgpack.h>

#include <pulsemq/pulsemq.h>
#include "pulse-codec-private.h"
#include "pulse-private.h"

#define MAX_DEPTH 32

/* ---- encoding a batch ---------------------------------------------------- */

typedef struct {
  guint8 *p;
} Cursor;

/* Writes into memory sized beforehand, so it never checks room. Being
 * static inline with the packer on the stack lets the compiler turn
 * msgpack-c's indirect write into a plain store. */
static inline int
cursor_write (void *data, const char *buf, size_t len)
{
  Cursor *cursor = data;

  memcpy (cursor->p, buf, len);
  cursor->p += len;
  return 0;
}

static inline gboolean
view_is_null (const PulseColumnView *v, guint row)
{
  return v->validity != NULL && !(v->validity[row / 8] & (1u << (row % 8)));
}

static GBytes *
serialize_batch (PulseRecordBatch *batch, GError **error)
{
  guint n_cols = pulse_record_batch_get_n_columns (batch);
  guint n_rows = pulse_record_batch_get_n_rows (batch);
  gboolean one_map = pulse_record_batch_get_shape (batch) == PULSE_RECORD_SHAPE_MAP && n_rows == 1;
  g_autofree PulseColumnView *cols = g_new (PulseColumnView, MAX (n_cols, 1));
  g_autofree gsize *key_len = g_new (gsize, MAX (n_cols, 1));
  g_autofree guint8 *keys = NULL;
  gsize keys_size = 0, per_row = 5, var_data = 0, bound, size;
  msgpack_packer pk;
  Cursor cursor;
  guint8 *out, *key;
  gsize room;

  for (guint c = 0; c < n_cols; c++) {
    PulseColumnView *v = &cols[c];

    peek_column (batch, c, v);
    keys_size += 5 + strlen (v->name);
    switch (v->type) {
      case PULSE_COLUMN_BOOL: per_row += 1; break;
      case PULSE_COLUMN_UTF8:
      case PULSE_COLUMN_BINARY:
        per_row += 5;
        var_data += v->data_len;
        break;
      default: per_row += 9; break;
    }
  }

  /* every key once, packed: each row copies them */
  keys = g_malloc (keys_size + 16);
  cursor.p = keys;
  msgpack_packer_init (&pk, &cursor, cursor_write);
  for (guint c = 0; c < n_cols; c++) {
    gsize len = strlen (cols[c].name);
    guint8 *start = cursor.p;

    msgpack_pack_str (&pk, len);
    msgpack_pack_str_body (&pk, cols[c].name, len);
    key_len[c] = cursor.p - start;
  }
  per_row += cursor.p - keys;

  /* the largest encoding of every value, so the loop never checks room */
  bound = 5 + (gsize) n_rows * per_row + var_data + 16;
  out = _pulse_pool_realloc (NULL, 0, bound, &room);
  cursor.p = out;
  if (!one_map)
    msgpack_pack_array (&pk, n_rows);
  for (guint r = 0; r < n_rows; r++) {
    msgpack_pack_map (&pk, n_cols);
    key = keys;
    for (guint c = 0; c < n_cols; c++) {
      const PulseColumnView *v = &cols[c];

      /* short keys: one fixed 16-byte copy, the slack is in the bound */
      if (G_LIKELY (key_len[c] <= 16))
        memcpy (cursor.p, key, 16);
      else
        memcpy (cursor.p, key, key_len[c]);
      cursor.p += key_len[c];
      key += key_len[c];
      if (view_is_null (v, r)) {
        msgpack_pack_nil (&pk);
        continue;
      }
      switch (v->type) {
        case PULSE_COLUMN_INT64:
        case PULSE_COLUMN_TIMESTAMP_NS: {
          gint64 x;
          memcpy (&x, v->data + (gsize) r * 8, 8);
          msgpack_pack_int64 (&pk, x);
          break;
        }
        case PULSE_COLUMN_FLOAT64: {
          gdouble d;
          memcpy (&d, v->data + (gsize) r * 8, 8);
          msgpack_pack_double (&pk, d);
          break;
        }
        case PULSE_COLUMN_BOOL:
          if (v->data[r])
            msgpack_pack_true (&pk);
          else
            msgpack_pack_false (&pk);
          break;
        case PULSE_COLUMN_UTF8:
        case PULSE_COLUMN_BINARY: {
          guint32 start = v->offsets[r], len = v->offsets[r + 1] - start;
          if (v->type == PULSE_COLUMN_UTF8)
            msgpack_pack_str (&pk, len);
          else
            msgpack_pack_bin (&pk, len);
          if (len > 0)
            memcpy (cursor.p, v->data + start, len);
          cursor.p += len;
          break;
        }
      }
    }
  }
  size = cursor.p - out;
  g_assert (size <= bound);
  return _pulse_pool_bytes (out, size);
}

/* ---- encoding a value tree ----------------------------------------------- */

static int
array_write (void *data, const char *buf, size_t len)
{
  g_byte_array_append (data, (const guint8 *) buf, len);
  return 0;
}

static gboolean
refuse_type (GVariant *value, GError **error)
{
  g_set_error (error, PULSE_STREAM_ERROR, PULSE_STREAM_ERROR_ENCODE,
      _ ("msgpack cannot serialize a value of type \"%s\": use s, ay, x, t, d, b, mv, av, a{sv} "
         "or a(vv)"),
      g_variant_get_type_string (value));
  return FALSE;
}

static gboolean pack_variant (msgpack_packer *pk, GVariant *value, GError **error);

static gboolean
pack_map (msgpack_packer *pk, GVariant *value, GError **error)
{
  gsize n = g_variant_n_children (value);

  msgpack_pack_map (pk, n);
  for (gsize i = 0; i < n; i++) {
    g_autoptr (GVariant) entry = g_variant_get_child_value (value, i);
    g_autoptr (GVariant) key = g_variant_get_child_value (entry, 0);
    g_autoptr (GVariant) val = g_variant_get_child_value (entry, 1);

    if (!pack_variant (pk, key, error) || !pack_variant (pk, val, error))
      return FALSE;
  }
  return TRUE;
}

static gboolean
pack_variant (msgpack_packer *pk, GVariant *value, GError **error)
{
  const GVariantType *type = g_variant_get_type (value);

  switch (g_variant_classify (value)) {
    case G_VARIANT_CLASS_VARIANT: {
      g_autoptr (GVariant) inner = g_variant_get_variant (value);
      return pack_variant (pk, inner, error);
    }
    case G_VARIANT_CLASS_MAYBE: {
      g_autoptr (GVariant) inner = g_variant_get_maybe (value);
      if (inner == NULL) {
        msgpack_pack_nil (pk);
        return TRUE;
      }
      return pack_variant (pk, inner, error);
    }
    case G_VARIANT_CLASS_STRING: {
      gsize len;
      const gchar *s = g_variant_get_string (value, &len);
      msgpack_pack_str_with_body (pk, s, len);
      return TRUE;
    }
    case G_VARIANT_CLASS_BOOLEAN:
      if (g_variant_get_boolean (value))
        msgpack_pack_true (pk);
      else
        msgpack_pack_false (pk);
      return TRUE;
    case G_VARIANT_CLASS_INT64: msgpack_pack_int64 (pk, g_variant_get_int64 (value)); return TRUE;
    case G_VARIANT_CLASS_UINT64:
      msgpack_pack_uint64 (pk, g_variant_get_uint64 (value));
      return TRUE;
    case G_VARIANT_CLASS_DOUBLE:
      msgpack_pack_double (pk, g_variant_get_double (value));
      return TRUE;
    case G_VARIANT_CLASS_ARRAY: {
      const GVariantType *element = g_variant_type_element (type);
      gsize n;

      if (g_variant_type_equal (type, G_VARIANT_TYPE_BYTESTRING)) {
        const guint8 *data = g_variant_get_fixed_array (value, &n, 1);
        msgpack_pack_bin_with_body (pk, data, n);
        return TRUE;
      }
      if (g_variant_type_is_dict_entry (element)) {
        if (!g_variant_type_equal (g_variant_type_key (element), G_VARIANT_TYPE_STRING))
          return refuse_type (value, error);
        return pack_map (pk, value, error);
      }
      if (g_variant_type_equal (element, G_VARIANT_TYPE ("(vv)")))
        return pack_map (pk, value, error);
      n = g_variant_n_children (value);
      msgpack_pack_array (pk, n);
      for (gsize i = 0; i < n; i++) {
        g_autoptr (GVariant) child = g_variant_get_child_value (value, i);
        if (!pack_variant (pk, child, error))
          return FALSE;
      }
      return TRUE;
    }
    default: return refuse_type (value, error);
  }
}

GBytes *
_pulse_msgpack_serialize (PulseBuffer *buffer, GError **error)
{
  PulseRecordBatch *batch = pulse_buffer_get_records (buffer);
  GVariant *value = pulse_buffer_get_value (buffer);
  g_autoptr (GByteArray) out = NULL;
  msgpack_packer pk;

  if (batch != NULL)
    return serialize_batch (batch, error);
  if (value == NULL) {
    g_set_error (error, PULSE_STREAM_ERROR, PULSE_STREAM_ERROR_ENCODE,
        _ ("msgpack serializes records, not bytes"));
    return NULL;
  }
  out = g_byte_array_new ();
  msgpack_packer_init (&pk, out, array_write);
  if (!pack_variant (&pk, value, error))
    return NULL;
  return g_byte_array_free_to_bytes (g_steal_pointer (&out));
}

/* ---- checking a payload before msgpack-c reads it ------------------------ */

static guint64
read_be (const guint8 *p, guint width)
{
  guint64 v = 0;

  for (guint i = 0; i < width; i++)
    v = (v << 8) | p[i];
  return v;
}

/* One pass over the bytes, no allocation: every length must fit in what
 * follows (an element takes at least one byte), containers nest at most
 * MAX_DEPTH deep, and the value must end exactly at the end. */
static gboolean
check_payload (const guint8 *p, gsize len, GError **error)
{
  guint64 left[MAX_DEPTH + 1]; /* values still to read at each depth */
  gint top = 0;
  gsize pos = 0;

  if (len == 0) {
    g_set_error (error, PULSE_STREAM_ERROR, PULSE_STREAM_ERROR_DECODE, _ ("empty msgpack payload"));
    return FALSE;
  }
  left[0] = 1;
  while (top >= 0) {
    gsize at = pos, skip = 0;
    guint64 n = 0, items = 0;
    guint width = 0, extra = 0;
    gboolean container = FALSE;
    guint8 b;

    if (left[top] == 0) {
      top--;
      continue;
    }
    left[top]--;
    if (pos >= len)
      goto truncated;
    b = p[pos++];
    if (b <= 0x7f || b >= 0xe0 || b == 0xc0 || b == 0xc2 || b == 0xc3)
      continue;
    if (b >= 0xa0 && b <= 0xbf) {
      skip = b & 0x1f;
    } else if (b >= 0x80 && b <= 0x8f) {
      n = b & 0x0f;
      items = 2 * n;
      container = TRUE;
    } else if (b >= 0x90 && b <= 0x9f) {
      n = items = b & 0x0f;
      container = TRUE;
    } else {
      switch (b) {
        case 0xc4:
        case 0xd9: width = 1; break;
        case 0xc5:
        case 0xda: width = 2; break;
        case 0xc6:
        case 0xdb: width = 4; break;
        case 0xc7: width = 1, extra = 1; break;
        case 0xc8: width = 2, extra = 1; break;
        case 0xc9: width = 4, extra = 1; break;
        case 0xcc:
        case 0xd0: skip = 1; break;
        case 0xcd:
        case 0xd1: skip = 2; break;
        case 0xca:
        case 0xce:
        case 0xd2: skip = 4; break;
        case 0xcb:
        case 0xcf:
        case 0xd3: skip = 8; break;
        case 0xd4: skip = 2; break;
        case 0xd5: skip = 3; break;
        case 0xd6: skip = 5; break;
        case 0xd7: skip = 9; break;
        case 0xd8: skip = 17; break;
        case 0xdc:
        case 0xde: width = 2, container = TRUE; break;
        case 0xdd:
        case 0xdf: width = 4, container = TRUE; break;
        default:
          g_set_error (error, PULSE_STREAM_ERROR, PULSE_STREAM_ERROR_DECODE,
              _ ("invalid msgpack byte 0x%02x at offset %zu"), b, at);
          return FALSE;
      }
      if (width > 0) {
        if (len - pos < width)
          goto truncated;
        n = read_be (p + pos, width);
        pos += width;
        if (container)
          items = (b == 0xde || b == 0xdf) ? 2 * n : n;
        else
          skip = n + extra;
      }
    }
    if (container) {
      if (items > len - pos) {
        g_set_error (error, PULSE_STREAM_ERROR, PULSE_STREAM_ERROR_DECODE,
            _ ("msgpack %s at offset %zu declares %" PRIu64 " elements but only %zu bytes follow"),
            (b & 0xf0) == 0x80 || b == 0xde || b == 0xdf ? "map" : "array", at, n, len - pos);
        return FALSE;
      }
      if (items > 0) {
        if (top + 1 > MAX_DEPTH) {
          g_set_error (error, PULSE_STREAM_ERROR, PULSE_STREAM_ERROR_DECODE,
              _ ("msgpack containers nest deeper than %d levels at offset %zu"), MAX_DEPTH, at);
          return FALSE;
        }
        left[++top] = items;
      }
    } else if (skip > len - pos) {
      goto truncated;
    } else {
      pos += skip;
    }
  }
  if (pos != len) {
    g_set_error (error, PULSE_STREAM_ERROR, PULSE_STREAM_ERROR_DECODE,
        _ ("%zu unexpected bytes after the msgpack value, at offset %zu"), len - pos, pos);
    return FALSE;
  }
  return TRUE;

truncated:
  g_set_error (error, PULSE_STREAM_ERROR, PULSE_STREAM_ERROR_DECODE,
      _ ("truncated msgpack payload: %zu bytes end inside a value"), len);
  return FALSE;
}

/* ---- objects → a batch --------------------------------------------------- */

typedef enum {
  KIND_NULL,
  KIND_INT,
  KIND_FLOAT,
  KIND_BOOL,
  KIND_STR,
  KIND_BIN,
  KIND_OTHER, /* not a scalar a column holds */
} Kind;

typedef struct {
  const gchar *name; /* in the zone, not NUL-terminated */
  guint32 len;
  Kind kind;
  gint64 last_row;
} ColInfo;

typedef struct {
  GArray *cols;        /* of ColInfo */
  GHashTable *by_name; /* owned name → index + 1, for rows in another order */
} Columns;

/* UTF-8, where U+0000 is a character like any other (g_utf8_validate
 * stops at NUL bytes) */
/* msgpack-c leaves the pointer of an empty string or binary NULL; every
 * reader here gets a real (empty) one, so that memchr, memcmp and strndup
 * never see NULL */
#define STR_PTR(o) ((o)->via.str.size > 0 ? (o)->via.str.ptr : "")
#define BIN_PTR(o) ((o)->via.bin.size > 0 ? (o)->via.bin.ptr : "")

static gboolean
utf8_valid (const gchar *s, gsize len)
{
  const gchar *end;

  while (!g_utf8_validate_len (s, len, &end)) {
    if (*end != '\0')
      return FALSE;
    len -= end - s + 1;
    s = end + 1;
  }
  return TRUE;
}

static Kind
kind_of (const msgpack_object *o)
{
  switch (o->type) {
    case MSGPACK_OBJECT_NIL: return KIND_NULL;
    case MSGPACK_OBJECT_BOOLEAN: return KIND_BOOL;
    case MSGPACK_OBJECT_POSITIVE_INTEGER: return o->via.u64 > G_MAXINT64 ? KIND_OTHER : KIND_INT;
    case MSGPACK_OBJECT_NEGATIVE_INTEGER: return KIND_INT;
    case MSGPACK_OBJECT_FLOAT32:
    case MSGPACK_OBJECT_FLOAT64: return KIND_FLOAT;
    case MSGPACK_OBJECT_STR:
      return utf8_valid (STR_PTR (o), o->via.str.size) ? KIND_STR : KIND_OTHER;
    case MSGPACK_OBJECT_BIN: return KIND_BIN;
    default: return KIND_OTHER;
  }
}

static gboolean
key_is_name (const msgpack_object *key)
{
  return key->type == MSGPACK_OBJECT_STR && memchr (STR_PTR (key), 0, key->via.str.size) == NULL &&
      g_utf8_validate_len (STR_PTR (key), key->via.str.size, NULL);
}

/* The column of a key that is in position @pos of its row: rows usually
 * repeat the previous order, so try that before the hash table. */
static gint
find_column (Columns *columns, const msgpack_object *key, guint pos)
{
  const gchar *name = STR_PTR (key);
  guint32 len = key->via.str.size;
  g_autofree gchar *owned = NULL;
  gpointer index;

  if (pos < columns->cols->len) {
    ColInfo *c = &g_array_index (columns->cols, ColInfo, pos);
    if (c->len == len && memcmp (c->name, name, len) == 0)
      return pos;
  }
  owned = g_strndup (name, len);
  index = g_hash_table_lookup (columns->by_name, owned);
  return index != NULL ? GPOINTER_TO_INT (index) - 1 : -1;
}

static gboolean
merge_kind (Kind *column, Kind value)
{
  if (value == KIND_NULL || *column == value)
    return TRUE;
  if (*column == KIND_NULL) {
    *column = value;
    return TRUE;
  }
  if ((*column == KIND_INT && value == KIND_FLOAT) ||
      (*column == KIND_FLOAT && value == KIND_INT)) {
    *column = KIND_FLOAT;
    return TRUE;
  }
  return FALSE;
}

/* First pass: the columns and their types, or FALSE when not flat. */
static gboolean
collect_columns (Columns *columns, const msgpack_object *rows, guint n_rows)
{
  for (guint r = 0; r < n_rows; r++) {
    const msgpack_object_map *map;

    if (rows[r].type != MSGPACK_OBJECT_MAP)
      return FALSE;
    map = &rows[r].via.map;
    for (guint i = 0; i < map->size; i++) {
      const msgpack_object *key = &map->ptr[i].key;
      Kind kind = kind_of (&map->ptr[i].val);
      ColInfo *c;
      gint index;

      if (kind == KIND_OTHER || !key_is_name (key))
        return FALSE;
      index = find_column (columns, key, i);
      if (index < 0) {
        ColInfo info = { STR_PTR (key), key->via.str.size, KIND_NULL, -1 };
        g_array_append_val (columns->cols, info);
        index = columns->cols->len - 1;
        g_hash_table_insert (
            columns->by_name, g_strndup (info.name, info.len), GINT_TO_POINTER (index + 1));
      }
      c = &g_array_index (columns->cols, ColInfo, index);
      /* a repeated key: which value wins is the reader's business */
      if (c->last_row == (gint64) r)
        return FALSE;
      c->last_row = r;
      if (!merge_kind (&c->kind, kind))
        return FALSE;
    }
  }
  return TRUE;
}

static PulseColumnType
column_type_of (Kind kind)
{
  switch (kind) {
    case KIND_FLOAT: return PULSE_COLUMN_FLOAT64;
    case KIND_BOOL: return PULSE_COLUMN_BOOL;
    case KIND_STR: return PULSE_COLUMN_UTF8;
    case KIND_BIN: return PULSE_COLUMN_BINARY;
    default: return PULSE_COLUMN_INT64;
  }
}

static void
append_value (PulseRecordBatch *batch, guint column, PulseColumnType type, const msgpack_object *o)
{
  switch (o->type) {
    case MSGPACK_OBJECT_NIL: pulse_record_batch_append_null (batch, column); break;
    case MSGPACK_OBJECT_BOOLEAN:
      pulse_record_batch_append_boolean (batch, column, o->via.boolean);
      break;
    case MSGPACK_OBJECT_POSITIVE_INTEGER:
    case MSGPACK_OBJECT_NEGATIVE_INTEGER:
      if (type == PULSE_COLUMN_FLOAT64)
        pulse_record_batch_append_double (batch, column, (gdouble) o->via.i64);
      else
        pulse_record_batch_append_int64 (batch, column, o->via.i64);
      break;
    case MSGPACK_OBJECT_FLOAT32:
    case MSGPACK_OBJECT_FLOAT64:
      pulse_record_batch_append_double (batch, column, o->via.f64);
      break;
    case MSGPACK_OBJECT_STR:
      pulse_record_batch_append_string (batch, column, STR_PTR (o), o->via.str.size);
      break;
    case MSGPACK_OBJECT_BIN:
      pulse_record_batch_append_binary (
          batch, column, (const guint8 *) BIN_PTR (o), o->via.bin.size);
      break;
    default: g_assert_not_reached ();
  }
}

/* A batch when @object is flat, else NULL. */
static PulseRecordBatch *
object_to_batch (const msgpack_object *object)
{
  const msgpack_object *rows;
  guint n_rows;
  Columns columns;
  PulseRecordBatch *batch = NULL;

  if (object->type == MSGPACK_OBJECT_MAP) {
    rows = object;
    n_rows = 1;
  } else if (object->type == MSGPACK_OBJECT_ARRAY) {
    rows = object->via.array.ptr;
    n_rows = object->via.array.size;
  } else {
    return NULL;
  }

  columns.cols = g_array_new (FALSE, FALSE, sizeof (ColInfo));
  columns.by_name = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  if (!collect_columns (&columns, rows, n_rows))
    goto out;

  batch = pulse_record_batch_new ();
  pulse_record_batch_set_shape (
      batch, object->type == MSGPACK_OBJECT_MAP ? PULSE_RECORD_SHAPE_MAP : PULSE_RECORD_SHAPE_ROWS);
  for (guint c = 0; c < columns.cols->len; c++) {
    ColInfo *info = &g_array_index (columns.cols, ColInfo, c);
    g_autofree gchar *name = g_strndup (info->name, info->len);
    pulse_record_batch_add_column (batch, name, column_type_of (info->kind));
  }
  for (guint r = 0; r < n_rows; r++) {
    const msgpack_object_map *map = &rows[r].via.map;

    for (guint i = 0; i < map->size; i++) {
      gint c = find_column (&columns, &map->ptr[i].key, i);
      append_value (batch, c, column_type_of (g_array_index (columns.cols, ColInfo, c).kind),
          &map->ptr[i].val);
    }
    pulse_record_batch_end_row (batch);
  }

out:
  g_array_unref (columns.cols);
  g_hash_table_unref (columns.by_name);
  return batch;
}

/* ---- objects → a value tree ---------------------------------------------- */

static GVariant *
string_to_variant (const msgpack_object *o, GError **error)
{
  const gchar *s = STR_PTR (o);
  gsize len = o->via.str.size;

  if (!utf8_valid (s, len)) {
    g_set_error (
        error, PULSE_STREAM_ERROR, PULSE_STREAM_ERROR_DECODE, _ ("a string is not valid UTF-8"));
    return NULL;
  }
  /* an empty string has no data pointer in msgpack-c */
  if (len == 0)
    return g_variant_new_string ("");
  if (memchr (s, 0, len) != NULL) {
    g_set_error (error, PULSE_STREAM_ERROR, PULSE_STREAM_ERROR_DECODE,
        _ ("a key or nested string holds a NUL character, which a value tree cannot hold"));
    return NULL;
  }
  return g_variant_new_take_string (g_strndup (s, len));
}

static GVariant *
object_to_variant (const msgpack_object *o, GError **error)
{
  switch (o->type) {
    case MSGPACK_OBJECT_NIL: return g_variant_new_maybe (G_VARIANT_TYPE_VARIANT, NULL);
    case MSGPACK_OBJECT_BOOLEAN: return g_variant_new_boolean (o->via.boolean);
    case MSGPACK_OBJECT_POSITIVE_INTEGER:
      if (o->via.u64 > G_MAXINT64)
        return g_variant_new_uint64 (o->via.u64);
      return g_variant_new_int64 ((gint64) o->via.u64);
    case MSGPACK_OBJECT_NEGATIVE_INTEGER: return g_variant_new_int64 (o->via.i64);
    case MSGPACK_OBJECT_FLOAT32:
    case MSGPACK_OBJECT_FLOAT64: return g_variant_new_double (o->via.f64);
    case MSGPACK_OBJECT_STR: return string_to_variant (o, error);
    case MSGPACK_OBJECT_BIN:
      return g_variant_new_fixed_array (G_VARIANT_TYPE_BYTE, BIN_PTR (o), o->via.bin.size, 1);
    case MSGPACK_OBJECT_ARRAY: {
      GVariantBuilder builder;

      g_variant_builder_init (&builder, G_VARIANT_TYPE ("av"));
      for (guint i = 0; i < o->via.array.size; i++) {
        GVariant *child = object_to_variant (&o->via.array.ptr[i], error);
        if (child == NULL) {
          g_variant_builder_clear (&builder);
          return NULL;
        }
        g_variant_builder_add_value (&builder, g_variant_new_variant (child));
      }
      return g_variant_builder_end (&builder);
    }
    case MSGPACK_OBJECT_MAP: {
      const msgpack_object_map *map = &o->via.map;
      gboolean string_keys = TRUE;
      GVariantBuilder builder;

      for (guint i = 0; i < map->size && string_keys; i++)
        string_keys = map->ptr[i].key.type == MSGPACK_OBJECT_STR;
      g_variant_builder_init (&builder, G_VARIANT_TYPE (string_keys ? "a{sv}" : "a(vv)"));
      for (guint i = 0; i < map->size; i++) {
        GVariant *key = object_to_variant (&map->ptr[i].key, error);
        GVariant *val = key != NULL ? object_to_variant (&map->ptr[i].val, error) : NULL;

        if (val == NULL) {
          if (key != NULL)
            g_variant_unref (g_variant_ref_sink (key));
          g_variant_builder_clear (&builder);
          return NULL;
        }
        if (string_keys)
          g_variant_builder_add_value (
              &builder, g_variant_new_dict_entry (key, g_variant_new_variant (val)));
        else
          g_variant_builder_add (&builder, "(vv)", key, val);
      }
      return g_variant_builder_end (&builder);
    }
    case MSGPACK_OBJECT_EXT:
      g_set_error (error, PULSE_STREAM_ERROR, PULSE_STREAM_ERROR_DECODE,
          _ ("msgpack extension type %d is not supported"), o->via.ext.type);
      return NULL;
    default: break;
  }
  g_set_error (error, PULSE_STREAM_ERROR, PULSE_STREAM_ERROR_DECODE,
      _ ("unknown msgpack object type %d"), o->type);
  return NULL;
}

PulseBuffer *
_pulse_msgpack_object_to_buffer (const msgpack_object *object, GError **error)
{
  PulseRecordBatch *batch = object_to_batch (object);
  GVariant *value;

  if (batch != NULL) {
    PulseBuffer *buffer = pulse_buffer_new_records (batch);
    pulse_record_batch_unref (batch);
    return buffer;
  }
  value = object_to_variant (object, error);
  if (value == NULL)
    return NULL;
  return pulse_buffer_new_value (value);
}

/* ---- flat payloads straight into columns ---------------------------------- */

/* The hot path of a subscriber: an array of flat maps (or one map) is
 * read byte by byte into column builders, with no msgpack-c object tree,
 * no per-value API call and one allocation per column array. It accepts
 * exactly what object_to_batch() turns into a batch, and gives up
 * (returning NULL, no error) on anything else — nesting, an ext, a
 * duplicate key, a string that is not UTF-8, an integer past int64, a
 * type clash in a column, a truncated or oversized payload — so that the
 * general path above decides, and words the error. */

#define FAST_MAX_COLUMNS 64

typedef struct {
  const gchar *name; /* in the payload */
  guint32 name_len;
  Kind kind;    /* KIND_NULL until the first value */
  guint length; /* values so far, nulls included */
  gint64 last_row;
  guint8 *data; /* 8 bytes per int or float, 1 per bool, or string bytes */
  gsize data_len, data_cap;
  guint32 *offsets; /* str and bin: length + 1 */
  gsize offsets_cap;
  guint8 *validity; /* NULL until the first null */
  gsize validity_cap;
} Builder;

typedef struct {
  const guint8 *p, *end;
  guint n_rows;
  Builder cols[FAST_MAX_COLUMNS];
  guint n_cols;
} Fast;

static inline gboolean
fast_take (Fast *f, gsize n, const guint8 **out)
{
  if ((gsize) (f->end - f->p) < n)
    return FALSE;
  *out = f->p;
  f->p += n;
  return TRUE;
}

/* ASCII a word at a time; anything else through GLib, NUL allowed */
static inline gboolean
fast_utf8 (const gchar *s, gsize len)
{
  gsize i = 0;

  for (; i + 8 <= len; i += 8) {
    guint64 w;
    memcpy (&w, s + i, 8);
    if (w & G_GUINT64_CONSTANT (0x8080808080808080))
      return utf8_valid (s, len);
  }
  for (; i < len; i++)
    if ((guint8) s[i] & 0x80)
      return utf8_valid (s, len);
  return TRUE;
}

static void
builder_grow (Builder *b, gsize extra)
{
  if (b->data_len + extra <= b->data_cap)
    return;
  b->data_cap = MAX (MAX (b->data_cap * 2, b->data_len + extra), 64);
  b->data = g_realloc (b->data, b->data_cap);
}

static gsize
builder_width (Kind kind)
{
  return kind == KIND_BOOL ? 1 : 8;
}

static gboolean
builder_is_variable (Kind kind)
{
  return kind == KIND_STR || kind == KIND_BIN;
}

/* the bit of value @row (< length) */
static void
builder_set_null (Builder *b, guint row)
{
  if (b->validity == NULL || (gsize) row / 8 >= b->validity_cap) {
    gsize old = b->validity == NULL ? 0 : b->validity_cap;
    gsize cap = MAX (MAX (old * 2, (gsize) row / 8 + 1), 16);

    b->validity = g_realloc (b->validity, cap);
    memset (b->validity + old, 0xff, cap - old);
    b->validity_cap = cap;
  }
  b->validity[row / 8] &= ~(1u << (row % 8));
}

/* Appends a null. Before the column's first value there is no storage
 * yet: builder_set_kind() makes it. */
static void
builder_append_null (Builder *b)
{
  if (b->kind != KIND_NULL) {
    if (builder_is_variable (b->kind)) {
      if ((gsize) b->length + 2 > b->offsets_cap) {
        b->offsets_cap = MAX (b->offsets_cap * 2, (gsize) b->length + 2);
        b->offsets = g_renew (guint32, b->offsets, b->offsets_cap);
      }
      b->offsets[b->length + 1] = (guint32) b->data_len;
    } else {
      gsize w = builder_width (b->kind);
      builder_grow (b, w);
      memset (b->data + b->data_len, 0, w);
      b->data_len += w;
    }
  }
  builder_set_null (b, b->length);
  b->length++;
}

/* The first value of a column fixes its storage; earlier nulls get
 * theirs. */
static void
builder_set_kind (Builder *b, Kind kind, guint expected_rows)
{
  gsize rows = MAX (expected_rows, b->length + 1);

  b->kind = kind;
  if (builder_is_variable (kind)) {
    b->offsets_cap = rows + 1;
    b->offsets = g_new0 (guint32, b->offsets_cap);
  } else {
    b->data_cap = MAX (rows * builder_width (kind), 64);
    b->data = g_malloc (b->data_cap);
    b->data_len = (gsize) b->length * builder_width (kind);
    memset (b->data, 0, b->data_len);
  }
}

/* One value of row @row into column @b; FALSE when the payload is not a
 * flat table. */
static gboolean
fast_value (Fast *f, Builder *b)
{
  const guint8 *q;
  guint8 t;
  Kind kind;
  gint64 i = 0;
  gdouble d = 0;
  gsize len = 0;

  if (!fast_take (f, 1, &q))
    return FALSE;
  t = q[0];
  if (t <= 0x7f) {
    kind = KIND_INT, i = t;
  } else if (t >= 0xe0) {
    kind = KIND_INT, i = (gint8) t;
  } else if (t >= 0xa0 && t <= 0xbf) {
    kind = KIND_STR, len = t & 0x1f;
  } else {
    switch (t) {
      case 0xc0: builder_append_null (b); return TRUE;
      case 0xc2:
      case 0xc3: kind = KIND_BOOL, i = t == 0xc3; break;
      case 0xcc:
        if (!fast_take (f, 1, &q))
          return FALSE;
        kind = KIND_INT, i = q[0];
        break;
      case 0xcd:
        if (!fast_take (f, 2, &q))
          return FALSE;
        kind = KIND_INT, i = (gint64) read_be (q, 2);
        break;
      case 0xce:
        if (!fast_take (f, 4, &q))
          return FALSE;
        kind = KIND_INT, i = (gint64) read_be (q, 4);
        break;
      case 0xcf: {
        guint64 u;
        if (!fast_take (f, 8, &q))
          return FALSE;
        u = read_be (q, 8);
        if (u > G_MAXINT64)
          return FALSE; /* a uint64 column is not a batch column */
        kind = KIND_INT, i = (gint64) u;
        break;
      }
      case 0xd0:
        if (!fast_take (f, 1, &q))
          return FALSE;
        kind = KIND_INT, i = (gint8) q[0];
        break;
      case 0xd1:
        if (!fast_take (f, 2, &q))
          return FALSE;
        kind = KIND_INT, i = (gint16) read_be (q, 2);
        break;
      case 0xd2:
        if (!fast_take (f, 4, &q))
          return FALSE;
        kind = KIND_INT, i = (gint32) read_be (q, 4);
        break;
      case 0xd3:
        if (!fast_take (f, 8, &q))
          return FALSE;
        kind = KIND_INT, i = (gint64) read_be (q, 8);
        break;
      case 0xca: {
        guint32 u;
        gfloat x;
        if (!fast_take (f, 4, &q))
          return FALSE;
        u = (guint32) read_be (q, 4);
        memcpy (&x, &u, 4);
        kind = KIND_FLOAT, d = x;
        break;
      }
      case 0xcb: {
        guint64 u;
        if (!fast_take (f, 8, &q))
          return FALSE;
        u = read_be (q, 8);
        memcpy (&d, &u, 8);
        kind = KIND_FLOAT;
        break;
      }
      case 0xd9:
      case 0xc4:
        if (!fast_take (f, 1, &q))
          return FALSE;
        kind = t == 0xd9 ? KIND_STR : KIND_BIN, len = q[0];
        break;
      case 0xda:
      case 0xc5:
        if (!fast_take (f, 2, &q))
          return FALSE;
        kind = t == 0xda ? KIND_STR : KIND_BIN, len = read_be (q, 2);
        break;
      case 0xdb:
      case 0xc6:
        if (!fast_take (f, 4, &q))
          return FALSE;
        kind = t == 0xdb ? KIND_STR : KIND_BIN, len = read_be (q, 4);
        break;
      default: return FALSE; /* a container, an ext, or not msgpack */
    }
  }

  if (builder_is_variable (kind)) {
    if (!fast_take (f, len, &q) || (kind == KIND_STR && !fast_utf8 ((const gchar *) q, len)))
      return FALSE;
    if (b->data_len + len > G_MAXINT32)
      return FALSE;
  }
  if (b->kind == KIND_NULL) {
    builder_set_kind (b, kind, f->n_rows);
  } else if (b->kind != kind) {
    if (b->kind == KIND_INT && kind == KIND_FLOAT) {
      /* the column becomes float64, in place */
      for (gsize at = 0; at < b->data_len; at += 8) {
        gint64 v;
        gdouble x;
        memcpy (&v, b->data + at, 8);
        x = (gdouble) v;
        memcpy (b->data + at, &x, 8);
      }
      b->kind = KIND_FLOAT;
    } else if (b->kind == KIND_FLOAT && kind == KIND_INT) {
      kind = KIND_FLOAT, d = (gdouble) i;
    } else {
      return FALSE;
    }
  }
  switch (kind) {
    case KIND_INT:
      builder_grow (b, 8);
      memcpy (b->data + b->data_len, &i, 8);
      b->data_len += 8;
      break;
    case KIND_FLOAT:
      builder_grow (b, 8);
      memcpy (b->data + b->data_len, &d, 8);
      b->data_len += 8;
      break;
    case KIND_BOOL:
      builder_grow (b, 1);
      b->data[b->data_len++] = (guint8) i;
      break;
    default:
      if ((gsize) b->length + 2 > b->offsets_cap) {
        b->offsets_cap = MAX (b->offsets_cap * 2, (gsize) b->length + 2);
        b->offsets = g_renew (guint32, b->offsets, b->offsets_cap);
      }
      builder_grow (b, len);
      if (len > 0)
        memcpy (b->data + b->data_len, q, len);
      b->data_len += len;
      b->offsets[b->length + 1] = (guint32) b->data_len;
      break;
  }
  b->length++;
  return TRUE;
}

/* The column of key @name in position @pos of row @row: rows usually
 * repeat the previous order. A new name makes a new column (nulls in the
 * rows before); NULL when the payload is not a flat table. */
static Builder *
fast_column (Fast *f, const gchar *name, guint32 len, guint pos, guint row)
{
  Builder *b = NULL;

  if (pos < f->n_cols && f->cols[pos].name_len == len && memcmp (f->cols[pos].name, name, len) == 0)
    b = &f->cols[pos];
  for (guint c = 0; b == NULL && c < f->n_cols; c++)
    if (f->cols[c].name_len == len && memcmp (f->cols[c].name, name, len) == 0)
      b = &f->cols[c];
  if (b == NULL) {
    if (f->n_cols == FAST_MAX_COLUMNS || memchr (name, 0, len) != NULL ||
        !g_utf8_validate_len (name, len, NULL))
      return NULL;
    b = &f->cols[f->n_cols++];
    memset (b, 0, sizeof *b);
    b->name = name;
    b->name_len = len;
    b->kind = KIND_NULL;
    b->last_row = -1;
    while (b->length < row)
      builder_append_null (b);
  }
  if (b->last_row == (gint64) row)
    return NULL; /* a repeated key */
  b->last_row = row;
  return b;
}

/* A map header: its number of pairs, or -1 */
static gint64
fast_map_header (Fast *f)
{
  const guint8 *q;

  if (!fast_take (f, 1, &q))
    return -1;
  if ((q[0] & 0xf0) == 0x80)
    return q[0] & 0x0f;
  if (q[0] == 0xde && fast_take (f, 2, &q))
    return (gint64) read_be (q, 2);
  if (q[0] == 0xdf && fast_take (f, 4, &q))
    return (gint64) read_be (q, 4);
  return -1;
}

static gboolean
fast_row (Fast *f, guint row)
{
  gint64 pairs = fast_map_header (f);

  /* every pair takes at least two bytes */
  if (pairs < 0 || (guint64) pairs > (guint64) (f->end - f->p) / 2)
    return FALSE;
  for (guint pos = 0; pos < (guint) pairs; pos++) {
    const guint8 *q;
    gsize len;
    Builder *b;

    if (!fast_take (f, 1, &q))
      return FALSE;
    if (q[0] >= 0xa0 && q[0] <= 0xbf)
      len = q[0] & 0x1f;
    else if (q[0] == 0xd9 && fast_take (f, 1, &q))
      len = q[0];
    else if (q[0] == 0xda && fast_take (f, 2, &q))
      len = read_be (q, 2);
    else if (q[0] == 0xdb && fast_take (f, 4, &q))
      len = read_be (q, 4);
    else
      return FALSE; /* a key that is not a string */
    if (!fast_take (f, len, &q) ||
        (b = fast_column (f, (const gchar *) q, len, pos, row)) == NULL || !fast_value (f, b))
      return FALSE;
  }
  /* keys the row did not have */
  for (guint c = 0; c < f->n_cols; c++)
    if (f->cols[c].length == row)
      builder_append_null (&f->cols[c]);
  return TRUE;
}

static PulseBuffer *
fast_decode (const guint8 *data, gsize len)
{
  Fast *f;
  PulseRecordBatch *batch = NULL;
  PulseBuffer *buffer = NULL;
  gboolean one_map;
  gboolean ok = TRUE;
  guint64 n_rows;

  /* an empty payload may have no data pointer at all: the general path
   * words its error */
  if (len == 0)
    return NULL;
  f = g_new (Fast, 1);
  f->p = data;
  f->end = data + len;
  f->n_cols = 0;
  one_map = (data[0] & 0xf0) == 0x80 || data[0] == 0xde || data[0] == 0xdf;
  if (one_map) {
    n_rows = 1;
  } else {
    const guint8 *q = f->p++; /* len > 0 */

    if ((q[0] & 0xf0) == 0x90)
      n_rows = q[0] & 0x0f;
    else if (q[0] == 0xdc && fast_take (f, 2, &q))
      n_rows = read_be (q, 2);
    else if (q[0] == 0xdd && fast_take (f, 4, &q))
      n_rows = read_be (q, 4);
    else
      goto out;
  }
  /* a row takes at least one byte */
  if (n_rows > (guint64) (f->end - f->p) || n_rows > G_MAXUINT)
    goto out;
  f->n_rows = (guint) n_rows;
  for (guint r = 0; r < f->n_rows && ok; r++)
    ok = fast_row (f, r);
  if (!ok || f->p != f->end)
    goto out;

  batch = pulse_record_batch_new ();
  pulse_record_batch_set_shape (batch, one_map ? PULSE_RECORD_SHAPE_MAP : PULSE_RECORD_SHAPE_ROWS);
  for (guint c = 0; c < f->n_cols; c++) {
    Builder *b = &f->cols[c];
    g_autofree gchar *name = g_strndup (b->name, b->name_len);

    if (b->kind == KIND_NULL) /* nulls only: int64, as the general path */
      builder_set_kind (b, KIND_INT, f->n_rows);
    if (builder_is_variable (b->kind) && b->offsets == NULL)
      b->offsets = g_new0 (guint32, 1);
    _pulse_record_batch_take_column (batch, name, column_type_of (b->kind), b->length,
        g_steal_pointer (&b->data), b->data_len, g_steal_pointer (&b->offsets),
        g_steal_pointer (&b->validity), b->validity_cap);
  }
  _pulse_record_batch_set_n_rows (batch, f->n_rows);
  buffer = pulse_buffer_new_records (batch);
  pulse_record_batch_unref (batch);

out:
  for (guint c = 0; c < f->n_cols; c++) {
    g_free (f->cols[c].data);
    g_free (f->cols[c].offsets);
    g_free (f->cols[c].validity);
  }
  g_free (f);
  return buffer;
}

PulseBuffer *
_pulse_msgpack_deserialize (GBytes *payload, GError **error)
{
  gsize len;
  const guint8 *data = g_bytes_get_data (payload, &len);
  msgpack_zone zone;
  msgpack_object object;
  msgpack_unpack_return ret;
  PulseBuffer *buffer = fast_decode (data, len);
  size_t off = 0;

  if (buffer != NULL)
    return buffer;
  if (!check_payload (data, len, error))
    return NULL;
  if (!msgpack_zone_init (&zone, MSGPACK_ZONE_CHUNK_SIZE)) {
    g_set_error (error, PULSE_STREAM_ERROR, PULSE_STREAM_ERROR_DECODE, _ ("out of memory"));
    return NULL;
  }
  ret = msgpack_unpack ((const char *) data, len, &off, &zone, &object);
  if (ret == MSGPACK_UNPACK_SUCCESS)
    buffer = _pulse_msgpack_object_to_buffer (&object, error);
  else
    /* the walk above accepted it: only memory can run out here */
    g_set_error (error, PULSE_STREAM_ERROR, PULSE_STREAM_ERROR_DECODE,
        _ ("msgpack payload does not decode (msgpack-c error %d)"), (int) ret);
  msgpack_zone_destroy (&zone);
  return buffer;
}
