/* Throughput of the Arrow codec on 1,000-row batches of ticks
 * {symbol utf8, price float64, volume int64, ts timestamp}: not a test,
 * a measurement (see the command in tests/bench/README or the report). */
#include <stdio.h>

#include <pulsemq/pulsemq.h>

#define ROWS 1000

int
main (int argc, char *argv[])
{
  guint iterations = argc > 1 ? g_ascii_strtoull (argv[1], NULL, 10) : 20000;
  g_autoptr (PulseRecordBatch) batch = pulse_record_batch_new ();
  g_autoptr (PulseBuffer) buffer = NULL;
  g_autoptr (GBytes) bytes = NULL;
  gint64 start;
  gdouble s;
  gsize size;

  pulse_record_batch_add_column (batch, "symbol", PULSE_COLUMN_UTF8);
  pulse_record_batch_add_column (batch, "price", PULSE_COLUMN_FLOAT64);
  pulse_record_batch_add_column (batch, "volume", PULSE_COLUMN_INT64);
  pulse_record_batch_add_column (batch, "ts", PULSE_COLUMN_TIMESTAMP_NS);
  for (guint r = 0; r < ROWS; r++) {
    gchar sym[16];
    g_snprintf (sym, sizeof sym, "60%04u", r % 500);
    pulse_record_batch_append_string (batch, 0, sym, -1);
    pulse_record_batch_append_double (batch, 1, 10.0 + r / 100.0);
    pulse_record_batch_append_int64 (batch, 2, r * 100);
    pulse_record_batch_append_timestamp (batch, 3, G_GINT64_CONSTANT (1700000000000000000) + r);
    pulse_record_batch_end_row (batch);
  }
  buffer = pulse_buffer_new_records (batch);
  bytes = pulse_serialize (PULSE_SERIALIZER_ARROW, buffer, NULL);
  size = g_bytes_get_size (bytes);

  start = g_get_monotonic_time ();
  for (guint i = 0; i < iterations; i++)
    g_bytes_unref (pulse_serialize (PULSE_SERIALIZER_ARROW, buffer, NULL));
  s = (g_get_monotonic_time () - start) / 1e6;
  printf ("serialize:   %u batches of %u rows (%" G_GSIZE_FORMAT
          " bytes) in %.3f s: %.1f M records/s, %.0f MB/s\n",
      iterations, ROWS, size, s, iterations * (gdouble) ROWS / s / 1e6,
      iterations * (gdouble) size / s / 1e6);

  start = g_get_monotonic_time ();
  for (guint i = 0; i < iterations; i++)
    pulse_buffer_unref (pulse_deserialize (PULSE_SERIALIZER_ARROW, bytes, NULL));
  s = (g_get_monotonic_time () - start) / 1e6;
  printf ("deserialize: %u batches of %u rows (%" G_GSIZE_FORMAT
          " bytes) in %.3f s: %.1f M records/s, %.0f MB/s\n",
      iterations, ROWS, size, s, iterations * (gdouble) ROWS / s / 1e6,
      iterations * (gdouble) size / s / 1e6);
  return 0;
}
