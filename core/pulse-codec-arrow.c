/* PulseMQ — the pyarrow serializer: the Arrow IPC streaming format
 *
 * What `pa.ipc.new_stream` writes and `pa.ipc.open_stream().read_all()`
 * reads: a Schema message, RecordBatch messages and the end-of-stream
 * marker. Each message is the continuation marker 0xFFFFFFFF, the int32
 * length of its metadata, the metadata — a Flatbuffers-encoded Message
 * table — padded to 8 bytes, then the message body.
 *
 * There is no Arrow C library in Debian, and all we need of Flatbuffers is
 * a handful of tables, so both are written here from the format
 * specification (Schema.fbs, Message.fbs, the columnar format page).
 *
 * The writer lays a flatbuffer out front to back: a table, then its vtable
 * right after it (a vtable may sit on either side: its offset is signed),
 * then what the table points to. Flatbuffers' forward offsets only need
 * the target to come after the pointer, which this order keeps.
 *
 * The reader takes payloads from the network: every read of the metadata
 * goes through bounds-checked accessors, every buffer is checked against
 * its message body, and the memory it allocates is bounded by the payload
 * size (at most 8 bytes per bit of it, for bool and int8 columns) plus
 * PULSE_MAX_RECORDS_PER_FRAME rows for columns of the null type, whose
 * values take no bytes at all. It never recurses: nested types are
 * refused before anything would descend into them.
 *
 * Decisions the format leaves to us:
 * - a stream must end with the end-of-stream marker: pyarrow, arrow-js and
 *   we always write it, so a stream without it was cut short and may have
 *   lost record batches; bytes after the marker are ignored, as pyarrow
 *   does;
 * - the pre-1.0 framing without the continuation marker is accepted;
 * - all record batches are concatenated into one batch of shape TABLE,
 *   since the original hands its users one pa.Table;
 * - int8…int64 and uint8…uint32 become int64, uint64 too when the value
 *   fits; float32 becomes float64; timestamps of any unit become
 *   nanoseconds (the time zone is dropped, the values are UTC anyway);
 *   large_utf8/large_binary become utf8/binary when under 2 GiB;
 * - a column of the null type becomes a bool column of nulls: a
 *   PulseRecordBatch has no null type;
 * - dates, times, durations, decimals, nested, dictionary-encoded and
 *   view types, and compressed bodies, are refused with an error naming
 *   the column.
 */
#include "config.h"

#include <inttypes.h>

#include <string.h>

#include <glib/gi18n-lib.h>

#include <pulsemq/pulsemq.h>
#include "pulse-codec-private.h"
#include "pulse-private.h"

#define CONTINUATION 0xFFFFFFFFu
#define ALIGNMENT 8

/* MetadataVersion */
#define METADATA_V4 3
#define METADATA_V5 4

/* MessageHeader union */
enum {
  HEADER_SCHEMA = 1,
  HEADER_DICTIONARY_BATCH = 2,
  HEADER_RECORD_BATCH = 3,
};

/* Type union */
enum {
  TYPE_NULL = 1,
  TYPE_INT = 2,
  TYPE_FLOATING_POINT = 3,
  TYPE_BINARY = 4,
  TYPE_UTF8 = 5,
  TYPE_BOOL = 6,
  TYPE_DECIMAL = 7,
  TYPE_DATE = 8,
  TYPE_TIME = 9,
  TYPE_TIMESTAMP = 10,
  TYPE_INTERVAL = 11,
  TYPE_LIST = 12,
  TYPE_STRUCT = 13,
  TYPE_UNION = 14,
  TYPE_FIXED_SIZE_BINARY = 15,
  TYPE_FIXED_SIZE_LIST = 16,
  TYPE_MAP = 17,
  TYPE_DURATION = 18,
  TYPE_LARGE_BINARY = 19,
  TYPE_LARGE_UTF8 = 20,
  TYPE_LARGE_LIST = 21,
  TYPE_RUN_END_ENCODED = 22,
  TYPE_BINARY_VIEW = 23,
  TYPE_UTF8_VIEW = 24,
  TYPE_LIST_VIEW = 25,
  TYPE_LARGE_LIST_VIEW = 26,
};

/* Precision and TimeUnit */
#define PRECISION_HALF 0
#define PRECISION_SINGLE 1
#define PRECISION_DOUBLE 2
#define UNIT_NANOSECOND 3

/* field ids (slot numbers; a union takes two: its type, then its value) */
enum { MESSAGE_VERSION, MESSAGE_HEADER_TYPE, MESSAGE_HEADER, MESSAGE_BODY_LENGTH };
enum { SCHEMA_ENDIANNESS, SCHEMA_FIELDS };
enum {
  FIELD_NAME,
  FIELD_NULLABLE,
  FIELD_TYPE_TYPE,
  FIELD_TYPE,
  FIELD_DICTIONARY,
  FIELD_CHILDREN,
};
enum { BATCH_LENGTH, BATCH_NODES, BATCH_BUFFERS, BATCH_COMPRESSION, BATCH_VARIADIC_COUNTS };
enum { INT_BIT_WIDTH, INT_IS_SIGNED };
enum { FLOAT_PRECISION };
enum { TIMESTAMP_UNIT, TIMESTAMP_TIMEZONE };

/* FieldNode and Buffer are both structs of two int64 */
#define STRUCT_SIZE 16

static const gchar *
type_name (guint type)
{
  static const gchar *const names[] = {
    "none",
    "null",
    "int",
    "floating point",
    "binary",
    "utf8",
    "bool",
    "decimal",
    "date",
    "time",
    "timestamp",
    "interval",
    "list",
    "struct",
    "union",
    "fixed-size binary",
    "fixed-size list",
    "map",
    "duration",
    "large binary",
    "large utf8",
    "large list",
    "run-end encoded",
    "binary view",
    "utf8 view",
    "list view",
    "large list view",
  };

  return type < G_N_ELEMENTS (names) ? names[type] : "unknown";
}

/* ---- the writer ---------------------------------------------------------- */

static inline void
put_u8 (GByteArray *o, guint8 v)
{
  g_byte_array_append (o, &v, 1);
}

static inline void
put_u16 (GByteArray *o, guint16 v)
{
  v = GUINT16_TO_LE (v);
  g_byte_array_append (o, (const guint8 *) &v, 2);
}

static inline void
put_u32 (GByteArray *o, guint32 v)
{
  v = GUINT32_TO_LE (v);
  g_byte_array_append (o, (const guint8 *) &v, 4);
}

static inline void
put_i64 (GByteArray *o, gint64 v)
{
  guint64 u = GUINT64_TO_LE ((guint64) v);
  g_byte_array_append (o, (const guint8 *) &u, 8);
}

static inline void
patch_u32 (GByteArray *o, gsize at, guint32 v)
{
  v = GUINT32_TO_LE (v);
  memcpy (o->data + at, &v, 4);
}

/* Appends zeros until the length is @phase modulo @align. The stream
 * starts aligned and every flatbuffer starts 8 bytes into an 8-aligned
 * message, so aligning stream positions aligns flatbuffer positions. */
static void
pad_to (GByteArray *o, gsize align, gsize phase)
{
  static const guint8 zeros[ALIGNMENT] = { 0 };
  gsize pad = (align + phase - o->len % align) % align;

  g_byte_array_append (o, zeros, pad);
}

#define MAX_FIELDS 8

typedef struct {
  gsize pos;                 /* of the table's vtable offset */
  guint16 field[MAX_FIELDS]; /* each field's offset from pos, 0 when absent */
  guint n_fields;
} FbTable;

/* A table starts 4 bytes before an 8-byte boundary: its int64 fields can
 * follow the vtable offset without padding. */
static gsize
fb_table_begin (GByteArray *o, FbTable *t)
{
  pad_to (o, 8, 4);
  t->pos = o->len;
  t->n_fields = 0;
  memset (t->field, 0, sizeof t->field);
  put_u32 (o, 0);
  return t->pos;
}

static void
fb_field_begin (GByteArray *o, FbTable *t, guint id, gsize size)
{
  g_assert (id < MAX_FIELDS);
  pad_to (o, size, 0);
  t->field[id] = o->len - t->pos;
  t->n_fields = MAX (t->n_fields, id + 1);
}

static void
fb_add_i64 (GByteArray *o, FbTable *t, guint id, gint64 v)
{
  fb_field_begin (o, t, id, 8);
  put_i64 (o, v);
}

static void
fb_add_i32 (GByteArray *o, FbTable *t, guint id, gint32 v)
{
  fb_field_begin (o, t, id, 4);
  put_u32 (o, (guint32) v);
}

static void
fb_add_i16 (GByteArray *o, FbTable *t, guint id, gint16 v)
{
  fb_field_begin (o, t, id, 2);
  put_u16 (o, (guint16) v);
}

static void
fb_add_u8 (GByteArray *o, FbTable *t, guint id, guint8 v)
{
  fb_field_begin (o, t, id, 1);
  put_u8 (o, v);
}

/* Returns where the offset lives, for fb_point_here() once its target is
 * about to be written. */
static gsize
fb_add_offset (GByteArray *o, FbTable *t, guint id)
{
  gsize slot;

  fb_field_begin (o, t, id, 4);
  slot = o->len;
  put_u32 (o, 0);
  return slot;
}

static void
fb_table_end (GByteArray *o, FbTable *t)
{
  gsize size = o->len - t->pos;
  gsize vtable;

  pad_to (o, 2, 0);
  vtable = o->len;
  put_u16 (o, 4 + 2 * t->n_fields);
  put_u16 (o, size);
  for (guint i = 0; i < t->n_fields; i++)
    put_u16 (o, t->field[i]);
  /* the table stores its position minus its vtable's: negative here */
  patch_u32 (o, t->pos, (guint32) (gint32) ((gint64) t->pos - (gint64) vtable));
}

static void
fb_point_here (GByteArray *o, gsize slot)
{
  patch_u32 (o, slot, o->len - slot);
}

static void
fb_string (GByteArray *o, gsize slot, const gchar *s)
{
  gsize len = strlen (s);

  pad_to (o, 4, 0);
  fb_point_here (o, slot);
  put_u32 (o, len);
  g_byte_array_append (o, (const guint8 *) s, len);
  put_u8 (o, 0);
}

/* Starts a vector of FieldNode or Buffer structs: their int64 members
 * must be 8-aligned, after the 4-byte count. */
static void
fb_struct_vector (GByteArray *o, gsize slot, guint count)
{
  pad_to (o, 8, 4);
  fb_point_here (o, slot);
  put_u32 (o, count);
}

/* Writes the continuation marker, a length to patch, and the Message table
 * up to its header; returns the header's offset slot. */
static gsize
message_begin (GByteArray *o, guint8 header_type, gint64 body_length, gsize *fb_start)
{
  FbTable t;
  gsize header;

  g_assert (o->len % ALIGNMENT == 0);
  put_u32 (o, CONTINUATION);
  put_u32 (o, 0);
  *fb_start = o->len;
  put_u32 (o, 0);
  patch_u32 (o, *fb_start, fb_table_begin (o, &t) - *fb_start);
  fb_add_i64 (o, &t, MESSAGE_BODY_LENGTH, body_length);
  header = fb_add_offset (o, &t, MESSAGE_HEADER);
  fb_add_i16 (o, &t, MESSAGE_VERSION, METADATA_V5);
  fb_add_u8 (o, &t, MESSAGE_HEADER_TYPE, header_type);
  fb_table_end (o, &t);
  return header;
}

static void
message_end (GByteArray *o, gsize fb_start)
{
  pad_to (o, ALIGNMENT, 0);
  patch_u32 (o, fb_start - 4, o->len - fb_start);
}

static guint8
arrow_type_of (PulseColumnType type)
{
  switch (type) {
    case PULSE_COLUMN_INT64: return TYPE_INT;
    case PULSE_COLUMN_FLOAT64: return TYPE_FLOATING_POINT;
    case PULSE_COLUMN_BOOL: return TYPE_BOOL;
    case PULSE_COLUMN_UTF8: return TYPE_UTF8;
    case PULSE_COLUMN_BINARY: return TYPE_BINARY;
    case PULSE_COLUMN_TIMESTAMP_NS: return TYPE_TIMESTAMP;
  }
  g_assert_not_reached ();
}

static void
write_field (GByteArray *o, gsize slot, const gchar *name, PulseColumnType type)
{
  FbTable t, ty;
  gsize name_slot, type_slot, children_slot;

  patch_u32 (o, slot, fb_table_begin (o, &t) - slot);
  name_slot = fb_add_offset (o, &t, FIELD_NAME);
  type_slot = fb_add_offset (o, &t, FIELD_TYPE);
  children_slot = fb_add_offset (o, &t, FIELD_CHILDREN);
  fb_add_u8 (o, &t, FIELD_NULLABLE, 1);
  fb_add_u8 (o, &t, FIELD_TYPE_TYPE, arrow_type_of (type));
  fb_table_end (o, &t);

  fb_string (o, name_slot, name);

  patch_u32 (o, type_slot, fb_table_begin (o, &ty) - type_slot);
  switch (type) {
    case PULSE_COLUMN_INT64:
      fb_add_i32 (o, &ty, INT_BIT_WIDTH, 64);
      fb_add_u8 (o, &ty, INT_IS_SIGNED, 1);
      break;
    case PULSE_COLUMN_FLOAT64: fb_add_i16 (o, &ty, FLOAT_PRECISION, PRECISION_DOUBLE); break;
    case PULSE_COLUMN_TIMESTAMP_NS: fb_add_i16 (o, &ty, TIMESTAMP_UNIT, UNIT_NANOSECOND); break;
    default: break; /* Bool, Utf8 and Binary are empty tables */
  }
  fb_table_end (o, &ty);

  /* pyarrow writes an empty vector for primitive types, not none */
  pad_to (o, 4, 0);
  fb_point_here (o, children_slot);
  put_u32 (o, 0);
}

static void
write_schema (GByteArray *o, PulseRecordBatch *batch)
{
  guint n = pulse_record_batch_get_n_columns (batch);
  gsize fb_start, header, fields, first;
  FbTable t;

  header = message_begin (o, HEADER_SCHEMA, 0, &fb_start);
  patch_u32 (o, header, fb_table_begin (o, &t) - header);
  fields = fb_add_offset (o, &t, SCHEMA_FIELDS);
  fb_table_end (o, &t); /* endianness: little, the default */

  pad_to (o, 4, 0);
  fb_point_here (o, fields);
  put_u32 (o, n);
  first = o->len;
  for (guint i = 0; i < n; i++)
    put_u32 (o, 0);
  for (guint i = 0; i < n; i++)
    write_field (o, first + 4 * i, pulse_record_batch_get_column_name (batch, i),
        pulse_record_batch_get_column_type (batch, i));
  message_end (o, fb_start);
}

/* One buffer of the body: bytes to copy, or a bool column to bit-pack */
typedef struct {
  const guint8 *data;
  gsize len;
  gboolean pack_bools;
  gboolean is_bitmap; /* its bits past the last row are cleared */
  gint64 offset;
} BodyBuffer;

typedef struct {
  guint length;
  guint null_count;
} Node;

static guint
count_nulls (const guint8 *validity, guint n)
{
  guint valid = 0;
  guint full = n / 8;

  if (validity == NULL)
    return 0;
  for (guint i = 0; i < full; i++)
    valid += __builtin_popcount (validity[i]);
  for (guint i = full * 8; i < n; i++)
    valid += (validity[i / 8] >> (i % 8)) & 1;
  return n - valid;
}

static void
pack_bools (GByteArray *o, const guint8 *values, guint n)
{
  gsize start = o->len;
  guint8 *bits;

  g_byte_array_set_size (o, start + (n + 7) / 8);
  bits = o->data + start;
  memset (bits, 0, (n + 7) / 8);
  for (guint i = 0; i < n; i++)
    if (values[i])
      bits[i / 8] |= 1u << (i % 8);
}

static void
write_record_batch (GByteArray *o, PulseRecordBatch *batch)
{
  guint n_cols = pulse_record_batch_get_n_columns (batch);
  guint n = pulse_record_batch_get_n_rows (batch);
  g_autofree BodyBuffer *bufs = g_new0 (BodyBuffer, (gsize) n_cols * 3);
  g_autofree Node *nodes = g_new0 (Node, n_cols);
  guint n_bufs = 0;
  gint64 body = 0;
  gsize fb_start, header, nodes_slot, bufs_slot, body_start;
  FbTable t;

  /* lay the body out first: the metadata gives every buffer's place */
  for (guint c = 0; c < n_cols; c++) {
    PulseColumnType type = pulse_record_batch_get_column_type (batch, c);
    PulseColumnArrays a;
    BodyBuffer *b;

    _pulse_record_batch_peek_arrays (batch, c, &a);
    nodes[c].length = n;
    nodes[c].null_count = count_nulls (a.validity, n);

    b = &bufs[n_bufs++];
    if (nodes[c].null_count > 0) {
      b->data = a.validity;
      b->len = (n + 7) / 8;
      b->is_bitmap = TRUE;
    }
    b = &bufs[n_bufs++];
    switch (type) {
      case PULSE_COLUMN_BOOL:
        b->data = a.data;
        b->len = (n + 7) / 8;
        b->pack_bools = TRUE;
        break;
      case PULSE_COLUMN_UTF8:
      case PULSE_COLUMN_BINARY:
        b->data = (const guint8 *) a.offsets;
        b->len = ((gsize) n + 1) * 4;
        b = &bufs[n_bufs++];
        b->data = a.data;
        b->len = a.offsets[n];
        break;
      default:
        b->data = a.data;
        b->len = (gsize) n * 8;
        break;
    }
  }
  for (guint i = 0; i < n_bufs; i++) {
    bufs[i].offset = body;
    body += (bufs[i].len + ALIGNMENT - 1) / ALIGNMENT * ALIGNMENT;
  }

  header = message_begin (o, HEADER_RECORD_BATCH, body, &fb_start);
  patch_u32 (o, header, fb_table_begin (o, &t) - header);
  fb_add_i64 (o, &t, BATCH_LENGTH, n);
  nodes_slot = fb_add_offset (o, &t, BATCH_NODES);
  bufs_slot = fb_add_offset (o, &t, BATCH_BUFFERS);
  fb_table_end (o, &t);

  fb_struct_vector (o, nodes_slot, n_cols);
  for (guint c = 0; c < n_cols; c++) {
    put_i64 (o, nodes[c].length);
    put_i64 (o, nodes[c].null_count);
  }
  fb_struct_vector (o, bufs_slot, n_bufs);
  for (guint i = 0; i < n_bufs; i++) {
    put_i64 (o, bufs[i].offset);
    put_i64 (o, bufs[i].len);
  }
  message_end (o, fb_start);

  body_start = o->len;
  /* reserve the body at once: set_size never shrinks the allocation */
  g_byte_array_set_size (o, body_start + body);
  g_byte_array_set_size (o, body_start);
  for (guint i = 0; i < n_bufs; i++) {
    if (bufs[i].pack_bools)
      pack_bools (o, bufs[i].data, n);
    else if (bufs[i].len > 0)
      g_byte_array_append (o, bufs[i].data, bufs[i].len);
    /* the batch leaves bits past its rows set; pyarrow writes zeros */
    if (bufs[i].is_bitmap && n % 8 != 0)
      o->data[o->len - 1] &= (1u << (n % 8)) - 1;
    pad_to (o, ALIGNMENT, 0);
  }
  g_assert (o->len - body_start == (gsize) body);
}

GBytes *
_pulse_arrow_serialize (PulseBuffer *buffer, GError **error)
{
  g_autoptr (PulseRecordBatch) batch = NULL;
  GByteArray *o;
  gsize estimate;

  if (pulse_buffer_get_records (buffer) != NULL) {
    batch = pulse_record_batch_ref (pulse_buffer_get_records (buffer));
  } else {
    GVariant *value = pulse_buffer_get_value (buffer);
    if (value == NULL) {
      g_set_error (error, PULSE_STREAM_ERROR, PULSE_STREAM_ERROR_ENCODE,
          _ ("arrow serializes records, and the buffer holds none"));
      return NULL;
    }
    /* a map or a list of flat maps: the columns pandas would make of them */
    batch = pulse_record_batch_new_from_variant (value, error);
    if (batch == NULL) {
      g_prefix_error (error, "arrow: ");
      return NULL;
    }
  }

  /* the body plus a few hundred bytes of metadata per column */
  estimate = pulse_record_batch_get_byte_size (batch) +
      256 * (gsize) (pulse_record_batch_get_n_columns (batch) + 1);
  o = g_byte_array_sized_new (MIN (estimate, G_MAXUINT));
  write_schema (o, batch);
  write_record_batch (o, batch);
  put_u32 (o, CONTINUATION);
  put_u32 (o, 0);
  return g_byte_array_free_to_bytes (o);
}

/* ---- the reader ---------------------------------------------------------- */

/* One message's metadata. Reads out of its bounds set @bad and return 0:
 * the parser checks @bad at each step instead of after every read. */
typedef struct {
  const guint8 *p;
  gsize len;
  gboolean bad;
} Fb;

typedef struct {
  gsize pos;
  gsize vtable;
  guint vtable_len;
  guint size;
} FbTab;

static gboolean
fb_check (Fb *fb, gsize at, gsize size)
{
  if (fb->bad || at > fb->len || size > fb->len - at)
    fb->bad = TRUE;
  return !fb->bad;
}

static guint64
fb_read (Fb *fb, gsize at, guint size)
{
  guint64 v = 0;

  g_assert (size <= 8);
  if (!fb_check (fb, at, size))
    return 0;
  for (guint i = 0; i < size; i++)
    v |= (guint64) fb->p[at + i] << (8 * i);
  return v;
}

static gboolean
fb_table_at (Fb *fb, gsize pos, FbTab *t)
{
  gint64 vtable = (gint64) pos - (gint32) fb_read (fb, pos, 4);

  if (fb->bad || vtable < 0 || (guint64) vtable > fb->len) {
    fb->bad = TRUE;
    return FALSE;
  }
  t->pos = pos;
  t->vtable = vtable;
  t->vtable_len = fb_read (fb, t->vtable, 2);
  t->size = fb_read (fb, t->vtable + 2, 2);
  if (t->vtable_len < 4 || t->size < 4)
    fb->bad = TRUE;
  /* the whole vtable and the whole table must be inside */
  fb_check (fb, t->vtable, t->vtable_len);
  fb_check (fb, t->pos, t->size);
  return !fb->bad;
}

/* Returns the position of field @id, a @size-byte value, or 0 when the
 * table does not have it (position 0 is the root offset: never a field). */
static gsize
fb_field (Fb *fb, const FbTab *t, guint id, guint size)
{
  guint entry = 4 + 2 * id;
  guint off;

  if (fb->bad || entry + 2 > t->vtable_len)
    return 0;
  off = fb_read (fb, t->vtable + entry, 2);
  if (off == 0)
    return 0;
  if (off + size > t->size) {
    fb->bad = TRUE;
    return 0;
  }
  return t->pos + off;
}

static gint64
fb_get_int (Fb *fb, const FbTab *t, guint id, guint size, gint64 fallback)
{
  gsize at = fb_field (fb, t, id, size);
  guint64 v;

  if (at == 0)
    return fallback;
  v = fb_read (fb, at, size);
  switch (size) {
    case 1: return (guint8) v;
    case 2: return (gint16) v;
    case 4: return (gint32) v;
    default: return (gint64) v;
  }
}

/* Follows the forward offset of field @id; 0 when absent */
static gsize
fb_get_target (Fb *fb, const FbTab *t, guint id)
{
  gsize at = fb_field (fb, t, id, 4);
  guint64 off;

  if (at == 0)
    return 0;
  off = fb_read (fb, at, 4);
  if (fb->bad || off == 0 || off > fb->len - at) {
    fb->bad = TRUE;
    return 0;
  }
  return at + off;
}

static gboolean
fb_get_table (Fb *fb, const FbTab *t, guint id, FbTab *out)
{
  gsize at = fb_get_target (fb, t, id);

  return at != 0 && fb_table_at (fb, at, out);
}

/* A vector of @count elements of @elem_size bytes starting at *@start */
static gboolean
fb_get_vector (Fb *fb, const FbTab *t, guint id, gsize elem_size, gsize *start, guint *count)
{
  gsize at = fb_get_target (fb, t, id);
  guint64 n;

  *start = 0;
  *count = 0;
  if (at == 0)
    return FALSE;
  n = fb_read (fb, at, 4);
  if (fb->bad || n > (fb->len - at - 4) / elem_size) {
    fb->bad = TRUE;
    return FALSE;
  }
  *start = at + 4;
  *count = n;
  return TRUE;
}

static gboolean
fb_vector_table (Fb *fb, gsize start, guint i, FbTab *out)
{
  gsize slot = start + 4 * (gsize) i;
  guint64 off = fb_read (fb, slot, 4);

  if (fb->bad || off == 0 || off > fb->len - slot) {
    fb->bad = TRUE;
    return FALSE;
  }
  return fb_table_at (fb, slot + off, out);
}

static const gchar *
fb_get_string (Fb *fb, const FbTab *t, guint id, gsize *len)
{
  gsize start;
  guint count;

  if (!fb_get_vector (fb, t, id, 1, &start, &count))
    return NULL;
  *len = count;
  return (const gchar *) fb->p + start;
}

/* A column being read: its Arrow type and what it becomes */
typedef struct {
  gchar *name;
  guint type;  /* TYPE_* */
  guint width; /* bytes per value, or per offset for strings */
  gboolean is_signed;
  gint64 ns_per_unit; /* timestamps */
  PulseColumnType out_type;
  guint n_buffers;

  guint8 *data;
  gsize data_len;
  gsize data_cap;
  guint32 *offsets; /* utf8/binary */
  gsize offsets_cap;
  guint8 *validity; /* allocated once a value is null */
  gsize validity_len;
} ColReader;

typedef struct {
  ColReader *cols;
  guint n_cols;
  gboolean have_schema;
  gboolean has_null_type;
  guint64 n_rows;
} Reader;

static void
reader_clear (Reader *r)
{
  for (guint i = 0; i < r->n_cols; i++) {
    g_free (r->cols[i].name);
    g_free (r->cols[i].data);
    g_free (r->cols[i].offsets);
    g_free (r->cols[i].validity);
  }
  g_free (r->cols);
}

G_GNUC_PRINTF (2, 3)
static gboolean
fail (GError **error, const gchar *format, ...)
{
  va_list args;

  va_start (args, format);
  g_propagate_error (
      error, g_error_new_valist (PULSE_STREAM_ERROR, PULSE_STREAM_ERROR_DECODE, format, args));
  va_end (args);
  return FALSE;
}

static gboolean
bad_metadata (GError **error, const gchar *what)
{
  return fail (
      error, _ ("arrow: malformed %s metadata (an offset or a length points outside it)"), what);
}

static gboolean
read_field_type (Fb *fb, ColReader *col, const FbTab *field, GError **error)
{
  guint type = fb_get_int (fb, field, FIELD_TYPE_TYPE, 1, 0);
  FbTab ty;

  col->type = type;
  col->n_buffers = 2;
  if (!fb_get_table (fb, field, FIELD_TYPE, &ty))
    return fb->bad ? bad_metadata (error, _ ("schema"))
                   : fail (error, _ ("arrow: column \"%s\" has no type"), col->name);

  switch (type) {
    case TYPE_NULL:
      /* V4 and V5 both give the null type no buffer at all */
      col->n_buffers = 0;
      col->out_type = PULSE_COLUMN_BOOL;
      break;
    case TYPE_INT: {
      gint64 bits = fb_get_int (fb, &ty, INT_BIT_WIDTH, 4, 0);
      col->is_signed = fb_get_int (fb, &ty, INT_IS_SIGNED, 1, 0) != 0;
      if (bits != 8 && bits != 16 && bits != 32 && bits != 64)
        return fail (
            error, _ ("arrow: column \"%s\" has integers of %" PRId64 " bits"), col->name, bits);
      col->width = bits / 8;
      col->out_type = PULSE_COLUMN_INT64;
      break;
    }
    case TYPE_FLOATING_POINT:
      switch (fb_get_int (fb, &ty, FLOAT_PRECISION, 2, PRECISION_HALF)) {
        case PRECISION_SINGLE: col->width = 4; break;
        case PRECISION_DOUBLE: col->width = 8; break;
        default:
          return fail (error, _ ("arrow: column \"%s\" has half-precision floats, not supported"),
              col->name);
      }
      col->out_type = PULSE_COLUMN_FLOAT64;
      break;
    case TYPE_BOOL: col->out_type = PULSE_COLUMN_BOOL; break;
    case TYPE_TIMESTAMP: {
      static const gint64 ns_per_unit[] = { 1000000000, 1000000, 1000, 1 };
      gint64 unit = fb_get_int (fb, &ty, TIMESTAMP_UNIT, 2, 0);
      if (unit < 0 || unit > UNIT_NANOSECOND)
        return fail (
            error, _ ("arrow: column \"%s\" has an unknown time unit %" PRId64), col->name, unit);
      col->width = 8;
      col->ns_per_unit = ns_per_unit[unit];
      col->out_type = PULSE_COLUMN_TIMESTAMP_NS;
      break;
    }
    case TYPE_UTF8:
    case TYPE_BINARY:
    case TYPE_LARGE_UTF8:
    case TYPE_LARGE_BINARY:
      col->width = (type == TYPE_LARGE_UTF8 || type == TYPE_LARGE_BINARY) ? 8 : 4;
      col->out_type = (type == TYPE_UTF8 || type == TYPE_LARGE_UTF8) ? PULSE_COLUMN_UTF8
                                                                     : PULSE_COLUMN_BINARY;
      col->n_buffers = 3;
      break;
    default:
      return fail (error, _ ("arrow: column \"%s\" has the %s type, which is not supported"),
          col->name, type_name (type));
  }
  return !fb->bad || bad_metadata (error, _ ("schema"));
}

static gboolean
read_schema (Reader *r, Fb *fb, const FbTab *schema, GError **error)
{
  /* names are checked through a set: a schema may have many thousands */
  g_autoptr (GHashTable) seen = g_hash_table_new (g_str_hash, g_str_equal);
  gsize start;
  guint n;

  if (r->have_schema)
    return fail (error, _ ("arrow: the stream has a second schema"));
  r->have_schema = TRUE;
  if (fb_get_int (fb, schema, SCHEMA_ENDIANNESS, 2, 0) != 0)
    return fail (error, _ ("arrow: the stream is big-endian, which is not supported"));
  fb_get_vector (fb, schema, SCHEMA_FIELDS, 4, &start, &n);
  if (fb->bad)
    return bad_metadata (error, _ ("schema"));

  r->cols = g_new0 (ColReader, n);
  r->n_cols = n;
  for (guint i = 0; i < n; i++) {
    ColReader *col = &r->cols[i];
    FbTab field, dict;
    const gchar *name = NULL;
    gsize name_len = 0, children;
    guint n_children;

    if (!fb_vector_table (fb, start, i, &field))
      return bad_metadata (error, _ ("schema"));
    name = fb_get_string (fb, &field, FIELD_NAME, &name_len);
    if (fb->bad)
      return bad_metadata (error, _ ("schema"));
    if (name != NULL && !g_utf8_validate_len (name, name_len, NULL))
      return fail (error, _ ("arrow: the name of column %u is not valid UTF-8"), i);
    col->name = g_strndup (name != NULL ? name : "", name_len);
    if (!g_hash_table_add (seen, col->name))
      return fail (error, _ ("arrow: two columns are called \"%s\""), col->name);
    if (fb_get_table (fb, &field, FIELD_DICTIONARY, &dict))
      return fail (error, _ ("arrow: column \"%s\" is dictionary-encoded, which is not supported"),
          col->name);
    if (!read_field_type (fb, col, &field, error))
      return FALSE;
    if (fb_get_vector (fb, &field, FIELD_CHILDREN, 4, &children, &n_children) && n_children > 0)
      return fail (error, _ ("arrow: column \"%s\" of type %s has children"), col->name,
          type_name (col->type));
    if (fb->bad)
      return bad_metadata (error, _ ("schema"));
    if (col->type == TYPE_NULL)
      r->has_null_type = TRUE;
  }
  return TRUE;
}

typedef struct {
  const guint8 *data;
  guint64 len;
} Slice;

static gboolean
grow_data (ColReader *col, gsize extra, GError **error)
{
  gsize need;

  if (extra > G_MAXINT32 - col->data_len)
    return fail (error, _ ("arrow: column \"%s\" holds more than 2 GiB"), col->name);
  need = col->data_len + extra;
  if (need > col->data_cap) {
    /* the first batch gets an exact fit, the following ones double it */
    col->data_cap = col->data_cap == 0 ? need : MAX (need, MIN (col->data_cap * 2, G_MAXINT32));
    col->data = g_realloc (col->data, col->data_cap);
  }
  return TRUE;
}

/* Appends the validity of @n rows after the @base rows already read */
static void
append_validity (ColReader *col, guint64 base, guint64 n, const guint8 *bits)
{
  gsize need = (base + n + 7) / 8;

  if (bits == NULL && col->validity == NULL)
    return;
  if (col->validity == NULL || need > col->validity_len) {
    gsize old = col->validity == NULL ? 0 : col->validity_len;
    gsize cap = MAX (need, old * 2);
    col->validity = g_realloc (col->validity, cap);
    /* rows before the first null were all valid */
    memset (col->validity + old, 0xff, cap - old);
    col->validity_len = cap;
  }
  if (bits == NULL) {
    /* bytes past the last one written are still all ones, but the rows
     * sharing that byte may have taken bits from an earlier bitmap */
    for (guint64 d = base; d < base + n && d % 8 != 0; d++)
      col->validity[d / 8] |= 1u << (d % 8);
    return;
  }
  if (base % 8 == 0) {
    memcpy (col->validity + base / 8, bits, (n + 7) / 8);
    return;
  }
  for (guint64 i = 0; i < n; i++) {
    guint64 d = base + i;
    if (bits[i / 8] & (1u << (i % 8)))
      col->validity[d / 8] |= 1u << (d % 8);
    else
      col->validity[d / 8] &= ~(1u << (d % 8));
  }
}

static inline gboolean
is_valid (const guint8 *bits, guint64 i)
{
  return bits == NULL || (bits[i / 8] & (1u << (i % 8)));
}

static inline guint64
read_le (const guint8 *p, guint width)
{
  guint64 v = 0;

  for (guint i = 0; i < width; i++)
    v |= (guint64) p[i] << (8 * i);
  return v;
}

static gboolean
read_fixed (ColReader *col, guint64 n, const guint8 *bits, Slice values, GError **error)
{
  guint8 *out;

  if (values.len / col->width < n)
    return fail (error,
        _ ("arrow: the values of column \"%s\" are shorter than its %" PRIu64 " rows"), col->name,
        n);
  if (n == 0)
    return TRUE;
  if (!grow_data (col, n * 8, error))
    return FALSE;
  out = col->data + col->data_len;

#if G_BYTE_ORDER == G_LITTLE_ENDIAN
  if (col->width == 8 &&
      (col->type == TYPE_FLOATING_POINT || col->is_signed ||
          (col->type == TYPE_TIMESTAMP && col->ns_per_unit == 1))) {
    memcpy (out, values.data, n * 8);
    col->data_len += n * 8;
    return TRUE;
  }
#endif
  for (guint64 i = 0; i < n; i++) {
    guint64 raw = read_le (values.data + i * col->width, col->width);
    gint64 v;

    if (col->type == TYPE_FLOATING_POINT) {
      gdouble d;
      if (col->width == 4) {
        guint32 r32 = raw;
        gfloat f;
        memcpy (&f, &r32, 4);
        d = f;
      } else {
        memcpy (&d, &raw, 8);
      }
      memcpy (out + i * 8, &d, 8);
      continue;
    }
    if (col->is_signed || col->type == TYPE_TIMESTAMP) {
      guint shift = 64 - 8 * col->width;
      v = (gint64) (raw << shift) >> shift; /* sign-extends */
    } else if (raw > G_MAXINT64 && is_valid (bits, i)) {
      return fail (error, _ ("arrow: column \"%s\" holds %" PRIu64 ", beyond the range of int64"),
          col->name, raw);
    } else {
      v = raw > G_MAXINT64 ? 0 : (gint64) raw; /* a null slot holds no value */
    }
    if (col->type == TYPE_TIMESTAMP && col->ns_per_unit != 1) {
      if (!is_valid (bits, i))
        v = 0;
      else if (__builtin_mul_overflow (v, col->ns_per_unit, &v))
        return fail (error,
            _ ("arrow: a timestamp of column \"%s\" is out of the nanosecond range"), col->name);
    }
    memcpy (out + i * 8, &v, 8);
  }
  col->data_len += n * 8;
  return TRUE;
}

static gboolean
read_bools (ColReader *col, guint64 n, Slice values, GError **error)
{
  guint8 *out;

  if (values.len < (n + 7) / 8)
    return fail (error,
        _ ("arrow: the values of column \"%s\" are shorter than its %" PRIu64 " rows"), col->name,
        n);
  if (n == 0)
    return TRUE;
  if (!grow_data (col, n, error))
    return FALSE;
  out = col->data + col->data_len;
  for (guint64 i = 0; i < n; i++)
    out[i] = (values.data[i / 8] >> (i % 8)) & 1;
  col->data_len += n;
  return TRUE;
}

/* UTF-8 as Arrow means it: NUL is a character like any other, which
 * g_utf8_validate_len() refuses */
static gboolean
utf8_valid (const gchar *s, gsize len)
{
  const gchar *end;

  while (!g_utf8_validate_len (s, len, &end)) {
    if (end >= s + len || *end != '\0')
      return FALSE;
    len -= end + 1 - s;
    s = end + 1;
  }
  return TRUE;
}

/* Checks the @n values appended after row @base. The fast way checks the
 * whole run of bytes once, then that no value starts inside a character;
 * if that fails, value by value, since null slots may hold any bytes. */
static gboolean
utf8_column_valid (ColReader *col, guint64 base, guint64 n, const guint8 *bits)
{
  guint32 start = col->offsets[base], end = col->offsets[base + n];
  const gchar *d = (const gchar *) col->data;
  gboolean whole = TRUE;

  if (end == start)
    return TRUE; /* perhaps no data array at all */
  if (utf8_valid (d + start, end - start)) {
    for (guint64 i = 1; i < n && whole; i++)
      whole = col->offsets[base + i] == end || (d[col->offsets[base + i]] & 0xc0) != 0x80;
    if (whole)
      return TRUE;
  }
  for (guint64 i = 0; i < n; i++) {
    guint32 a = col->offsets[base + i], b = col->offsets[base + i + 1];
    if (b > a && is_valid (bits, i) && !utf8_valid (d + a, b - a))
      return FALSE;
  }
  return TRUE;
}

static gboolean
read_variable (ColReader *col, guint64 base, guint64 n, const guint8 *bits, Slice offsets,
    Slice data, GError **error)
{
  guint64 first, last, prev;
  guint32 start = col->data_len;

  /* an empty array may have no offsets at all */
  if (n > 0 && offsets.len / col->width < n + 1)
    return fail (error,
        _ ("arrow: the offsets of column \"%s\" are shorter than its %" PRIu64 " rows"), col->name,
        n);
  /* allocated only now that the body backs the rows */
  if (col->offsets == NULL) {
    col->offsets_cap = base + n + 1;
    col->offsets = g_new (guint32, col->offsets_cap);
    col->offsets[0] = 0;
  } else if (base + n + 1 > col->offsets_cap) {
    /* doubling: many small batches must not cost a copy each */
    col->offsets_cap = MAX (base + n + 1, col->offsets_cap * 2);
    col->offsets = g_renew (guint32, col->offsets, col->offsets_cap);
  }
  if (n == 0)
    return TRUE;

  first = prev = read_le (offsets.data, col->width);
  if (first > (col->width == 4 ? (guint64) G_MAXINT32 : (guint64) G_MAXINT64))
    return fail (error, _ ("arrow: column \"%s\" has a negative offset"), col->name);
  for (guint64 i = 1; i <= n; i++) {
    guint64 o = read_le (offsets.data + i * col->width, col->width);
    if (col->width == 4)
      o = (guint64) (gint64) (gint32) o;
    if (o < prev || o > G_MAXINT64)
      return fail (error, _ ("arrow: the offsets of column \"%s\" go backwards"), col->name);
    if (o > data.len)
      return fail (error, _ ("arrow: an offset of column \"%s\" points past its data"), col->name);
    prev = o;
  }
  last = prev;
  if (!grow_data (col, last - first, error))
    return FALSE;
  if (last > first)
    memcpy (col->data + col->data_len, data.data + first, last - first);
  for (guint64 i = 1; i <= n; i++) {
    guint64 o = read_le (offsets.data + i * col->width, col->width);
    col->offsets[base + i] = start + (guint32) (o - first);
  }
  col->data_len += last - first;

  if (col->out_type == PULSE_COLUMN_UTF8 && !utf8_column_valid (col, base, n, bits))
    return fail (error, _ ("arrow: column \"%s\" has text that is not valid UTF-8"), col->name);
  return TRUE;
}

static gboolean
read_record_batch (
    Reader *r, Fb *fb, const FbTab *rb, const guint8 *body, gint64 body_len, GError **error)
{
  gint64 length = fb_get_int (fb, rb, BATCH_LENGTH, 8, 0);
  gsize nodes, bufs, variadic;
  guint n_nodes, n_bufs, n_variadic, b = 0, want_bufs = 0;
  FbTab compression;
  g_autofree Slice *slices = NULL;

  if (!r->have_schema)
    return fail (error, _ ("arrow: a record batch comes before the schema"));
  fb_get_vector (fb, rb, BATCH_NODES, STRUCT_SIZE, &nodes, &n_nodes);
  fb_get_vector (fb, rb, BATCH_BUFFERS, STRUCT_SIZE, &bufs, &n_bufs);
  if (fb_get_table (fb, rb, BATCH_COMPRESSION, &compression))
    return fail (error, _ ("arrow: compressed record batch bodies are not supported"));
  if (fb_get_vector (fb, rb, BATCH_VARIADIC_COUNTS, 8, &variadic, &n_variadic) && n_variadic > 0)
    return fail (error, _ ("arrow: variadic buffers are not supported"));
  if (fb->bad)
    return bad_metadata (error, _ ("record batch"));

  if (length < 0 || (guint64) length > G_MAXINT32 - r->n_rows)
    return fail (error, _ ("arrow: a record batch claims %" PRId64 " rows"), length);
  if (r->has_null_type && r->n_rows + length > PULSE_MAX_RECORDS_PER_FRAME)
    return fail (error, _ ("arrow: more than %u rows in a stream with a column of the null type"),
        PULSE_MAX_RECORDS_PER_FRAME);
  if (n_nodes != r->n_cols)
    return fail (
        error, _ ("arrow: a record batch has %u columns, the schema %u"), n_nodes, r->n_cols);
  for (guint c = 0; c < r->n_cols; c++)
    want_bufs += r->cols[c].n_buffers;
  if (n_bufs != want_bufs)
    return fail (
        error, _ ("arrow: a record batch has %u buffers, its columns need %u"), n_bufs, want_bufs);

  slices = g_new0 (Slice, n_bufs + 1);
  for (guint i = 0; i < n_bufs; i++) {
    gint64 off = (gint64) fb_read (fb, bufs + STRUCT_SIZE * (gsize) i, 8);
    gint64 len = (gint64) fb_read (fb, bufs + STRUCT_SIZE * (gsize) i + 8, 8);
    if (off < 0 || len < 0)
      return fail (error, _ ("arrow: record batch buffer %u has a negative offset or length"), i);
    if (off > body_len || len > body_len - off)
      return fail (error, _ ("arrow: record batch buffer %u runs past the message body"), i);
    slices[i].data = body + off;
    slices[i].len = len;
  }

  for (guint c = 0; c < r->n_cols; c++) {
    ColReader *col = &r->cols[c];
    gint64 n = (gint64) fb_read (fb, nodes + STRUCT_SIZE * (gsize) c, 8);
    gint64 nulls = (gint64) fb_read (fb, nodes + STRUCT_SIZE * (gsize) c + 8, 8);
    const guint8 *bits = NULL;

    if (n != length)
      return fail (error,
          _ ("arrow: column \"%s\" has %" PRId64 " values in a batch of %" PRId64 " rows"),
          col->name, n, length);
    if (nulls < 0 || nulls > n)
      return fail (error, _ ("arrow: column \"%s\" claims %" PRId64 " nulls"), col->name, nulls);

    if (col->type == TYPE_NULL) {
      g_autofree guint8 *none = NULL;
      if (n == 0)
        continue;
      none = g_malloc0 ((n + 7) / 8);
      if (!grow_data (col, n, error))
        return FALSE;
      memset (col->data + col->data_len, 0, n);
      col->data_len += n;
      append_validity (col, r->n_rows, n, none);
      continue;
    }

    /* a reader may ignore the bitmap when the node says there is no null */
    if (nulls > 0) {
      if (slices[b].len < ((guint64) n + 7) / 8)
        return fail (
            error, _ ("arrow: the validity bitmap of column \"%s\" is too short"), col->name);
      bits = slices[b].data;
    }
    b++;
    switch (col->type) {
      case TYPE_BOOL:
        if (!read_bools (col, n, slices[b++], error))
          return FALSE;
        break;
      case TYPE_UTF8:
      case TYPE_BINARY:
      case TYPE_LARGE_UTF8:
      case TYPE_LARGE_BINARY:
        if (!read_variable (col, r->n_rows, n, bits, slices[b], slices[b + 1], error))
          return FALSE;
        b += 2;
        break;
      default:
        if (!read_fixed (col, n, bits, slices[b++], error))
          return FALSE;
        break;
    }
    append_validity (col, r->n_rows, n, bits);
  }
  if (fb->bad)
    return bad_metadata (error, _ ("record batch"));
  r->n_rows += length;
  return TRUE;
}

static PulseBuffer *
reader_finish (Reader *r)
{
  g_autoptr (PulseRecordBatch) batch = pulse_record_batch_new ();

  for (guint c = 0; c < r->n_cols; c++) {
    ColReader *col = &r->cols[c];
    gboolean variable = col->out_type == PULSE_COLUMN_UTF8 || col->out_type == PULSE_COLUMN_BINARY;

    if (variable && col->offsets == NULL)
      col->offsets = g_new0 (guint32, 1);
    _pulse_record_batch_take_column (batch, col->name, col->out_type, r->n_rows,
        g_steal_pointer (&col->data), col->data_len, g_steal_pointer (&col->offsets),
        g_steal_pointer (&col->validity), col->validity_len);
  }
  _pulse_record_batch_set_n_rows (batch, r->n_rows);
  pulse_record_batch_set_shape (batch, PULSE_RECORD_SHAPE_TABLE);
  return pulse_buffer_new_records (batch);
}

PulseBuffer *
_pulse_arrow_deserialize (GBytes *payload, GError **error)
{
  gsize len;
  const guint8 *p = g_bytes_get_data (payload, &len);
  Reader r = { 0 };
  PulseBuffer *out = NULL;
  gsize pos = 0;

  for (;;) {
    guint32 word, header;
    gint64 meta_len, body_len;
    Fb fb;
    FbTab message, hdr;
    gsize root;

    if (len - pos < 4) {
      fail (error,
          pos == len ? _ ("arrow: the stream ends without the end-of-stream marker")
                     : _ ("arrow: the stream ends inside a message header"));
      goto out;
    }
    word = read_le (p + pos, 4);
    header = 4;
    if (word == CONTINUATION) {
      if (len - pos < 8) {
        fail (error, _ ("arrow: the stream ends inside a message header"));
        goto out;
      }
      word = read_le (p + pos + 4, 4);
      header = 8;
    }
    /* else: the framing before Arrow 0.15, a length without a marker */
    meta_len = (gint32) word;
    if (meta_len == 0)
      break; /* end of stream */
    if (meta_len < 0 || (guint64) meta_len > len - pos - header) {
      fail (error, _ ("arrow: message metadata at byte %zu runs past the stream"), pos);
      goto out;
    }
    fb.p = p + pos + header;
    fb.len = meta_len;
    fb.bad = FALSE;
    root = fb_read (&fb, 0, 4);
    if (fb.bad || !fb_table_at (&fb, root, &message)) {
      bad_metadata (error, _ ("message"));
      goto out;
    }
    pos += header + meta_len;
    {
      gint64 version = fb_get_int (&fb, &message, MESSAGE_VERSION, 2, 0);
      guint type = fb_get_int (&fb, &message, MESSAGE_HEADER_TYPE, 1, 0);
      body_len = fb_get_int (&fb, &message, MESSAGE_BODY_LENGTH, 8, 0);

      if (fb.bad) {
        bad_metadata (error, _ ("message"));
        goto out;
      }
      if (version != METADATA_V4 && version != METADATA_V5) {
        fail (error, _ ("arrow: metadata version %" PRId64 " is not supported (V4 or V5)"),
            version + 1);
        goto out;
      }
      if (body_len < 0 || (guint64) body_len > len - pos) {
        fail (error, _ ("arrow: a message body runs past the end of the stream"));
        goto out;
      }
      if (type == HEADER_DICTIONARY_BATCH) {
        fail (error, _ ("arrow: dictionary batches are not supported"));
        goto out;
      }
      if (type != HEADER_SCHEMA && type != HEADER_RECORD_BATCH) {
        fail (error, _ ("arrow: message type %u is not supported"), type);
        goto out;
      }
      if (!fb_get_table (&fb, &message, MESSAGE_HEADER, &hdr)) {
        bad_metadata (error, _ ("message"));
        goto out;
      }
      if (type == HEADER_SCHEMA ? !read_schema (&r, &fb, &hdr, error)
                                : !read_record_batch (&r, &fb, &hdr, p + pos, body_len, error))
        goto out;
    }
    pos += body_len;
  }
  if (!r.have_schema) {
    fail (error, _ ("arrow: the stream has no schema"));
    goto out;
  }
  out = reader_finish (&r);

out:
  reader_clear (&r);
  return out;
}
