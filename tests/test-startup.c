/* PulseMQ — the startup table of pulse-launch (launcher/pulse-startup.c)
 *
 * The layout and the auth field follow the original's
 * format_startup_table: bars of 43 '=', labels padded to 18 columns after
 * two spaces, user names sorted, at most ten listed. */
#include "config.h"

#include <string.h>

#include <pulsemq/pulsemq.h>

#include "pulse-startup.h"

static void
check_auth (const gchar *const *users, const gchar *expected)
{
  g_autofree gchar *text = pulse_startup_format_auth (users);

  g_assert_cmpstr (text, ==, expected);
}

static void
test_auth_disabled (void)
{
  const gchar *none[] = { NULL };

  check_auth (NULL, "disabled");
  check_auth (none, "disabled");
}

static void
test_auth_few_users_sorted (void)
{
  const gchar *three[] = { "carol", "alice", "bob", NULL };
  const gchar *one[] = { "alice", NULL };
  /* byte order, as Python's sorted(): capitals first, "u10" before "u2" */
  const gchar *mixed[] = { "u2", "u10", "Zed", "u1", NULL };

  check_auth (three, "enabled (3 users: alice, bob, carol)");
  check_auth (one, "enabled (1 user: alice)");
  check_auth (mixed, "enabled (4 users: Zed, u1, u10, u2)");
}

static void
test_auth_ten_and_more (void)
{
  g_autoptr (GPtrArray) users = g_ptr_array_new_with_free_func (g_free);
  g_autofree gchar *ten = NULL;

  /* ten users: all listed */
  for (guint i = 0; i < 10; i++)
    g_ptr_array_add (users, g_strdup_printf ("u%u", 9 - i));
  g_ptr_array_add (users, NULL);
  ten = pulse_startup_format_auth ((const gchar *const *) users->pdata);
  g_assert_cmpstr (ten, ==, "enabled (10 users: u0, u1, u2, u3, u4, u5, u6, u7, u8, u9)");
  g_ptr_array_remove_index (users, users->len - 1);

  /* fifteen: the first five sorted names, without "enabled", and the rest counted */
  for (guint i = 10; i < 15; i++)
    g_ptr_array_add (users, g_strdup_printf ("u%u", i));
  g_ptr_array_add (users, NULL);
  check_auth ((const gchar *const *) users->pdata, "15 users: u0, u1, u10, u11, u12, ... +10 more");
  g_ptr_array_remove_index (users, users->len - 1);

  /* eleven: the first over the limit */
  g_ptr_array_set_size (users, 11);
  g_ptr_array_add (users, NULL);
  check_auth ((const gchar *const *) users->pdata, "11 users: u0, u1, u10, u2, u3, ... +6 more");
}

static void
test_table_layout (void)
{
  const gchar *labels[] = { "bind", "admin", "auth", "a-label-longer-than-18", NULL };
  const gchar *values[] = { "tcp://*:5555", "0.0.0.0:9090", "disabled", "x", NULL };
  g_autofree gchar *table = pulse_startup_format_table ("PulseMQ Publisher v2.0.2", labels, values);
  g_auto (GStrv) lines = g_strsplit (table, "\n", -1);
  g_autofree gchar *bar = g_strnfill (43, '=');

  /* the original's table, byte for byte */
  g_assert_true (g_str_has_prefix (table,
      "===========================================\n"
      "  PulseMQ Publisher v2.0.2\n"
      "===========================================\n"
      "  bind              tcp://*:5555\n"
      "  admin             0.0.0.0:9090\n"
      "  auth              disabled\n"));
  g_assert_cmpuint (g_strv_length (lines), ==, 9); /* the last line ends with a newline */
  g_assert_cmpstr (lines[0], ==, bar);
  g_assert_cmpstr (lines[2], ==, bar);
  g_assert_cmpstr (lines[7], ==, bar);
  g_assert_cmpstr (lines[8], ==, "");
  /* a long label still leaves a blank before its value */
  g_assert_cmpstr (lines[6], ==, "  a-label-longer-than-18 x");
}

static void
test_table_wide_labels (void)
{
  /* a CJK character takes two columns: values still line up */
  const gchar *labels[] = { "绑定", "bind", NULL };
  const gchar *values[] = { "a", "b", NULL };
  g_autofree gchar *table = pulse_startup_format_table ("t", labels, values);
  g_auto (GStrv) lines = g_strsplit (table, "\n", -1);

  g_assert_cmpstr (lines[3], ==, "  绑定              a");
  g_assert_cmpstr (lines[4], ==, "  bind              b");
}

static void
test_table_of_pipeline (void)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (PulsePipeline) local = NULL;
  g_autoptr (PulsePipeline) publisher = NULL;
  g_autofree gchar *none = NULL;
  g_autofree gchar *table = NULL;
  g_autofree gchar *expected = NULL;
  g_auto (GStrv) endpoints = NULL;
  const gchar *description = "timer count=1 ! zmqpub topic=a bind=tcp://127.0.0.1:*  "
                             "timer count=1 ! zmqpub topic=b bind=tcp://127.0.0.1:*";

  /* publishes nothing: no table */
  local = pulse_parse_launch ("timer count=1 ! fakesink", &error);
  g_assert_no_error (error);
  none = pulse_startup_table_new (local, "timer count=1 ! fakesink");
  g_assert_null (none);

  /* two topics on one socket: one bind, both topics, in order */
  publisher = pulse_parse_launch (description, &error);
  g_assert_no_error (error);
  g_assert_true (pulse_pipeline_set_state (publisher, PULSE_STATE_READY, &error));
  g_assert_no_error (error);
  endpoints = pulse_startup_get_endpoints (publisher);
  g_assert_cmpuint (g_strv_length (endpoints), ==, 1);
  g_assert_true (g_str_has_prefix (endpoints[0], "tcp://127.0.0.1:"));
  g_assert_cmpstr (endpoints[0], !=, "tcp://127.0.0.1:*");
  table = pulse_startup_table_new (publisher, description);
  expected = g_strdup_printf ("  bind              %s\n"
                              "  admin             off\n"
                              "  auth              disabled\n"
                              "  topics            a, b\n"
                              "  pipeline          %s\n",
      endpoints[0], description);
  g_assert_nonnull (strstr (table, expected));
  g_assert_true (g_str_has_prefix (table,
      "===========================================\n"
      "  PulseMQ Publisher v" PULSE_VERSION "\n"));
  g_assert_true (pulse_pipeline_set_state (publisher, PULSE_STATE_NULL, &error));
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/startup/auth/disabled", test_auth_disabled);
  g_test_add_func ("/startup/auth/few-users-sorted", test_auth_few_users_sorted);
  g_test_add_func ("/startup/auth/ten-and-more", test_auth_ten_and_more);
  g_test_add_func ("/startup/table/layout", test_table_layout);
  g_test_add_func ("/startup/table/wide-labels", test_table_wide_labels);
  g_test_add_func ("/startup/table/of-pipeline", test_table_of_pipeline);
  return g_test_run ();
}
