/* PulseMQ — runs a fuzz target over its corpus without libFuzzer
 *
 * Linked in place of libFuzzer in every normal build, so that each test
 * run replays the checked-in corpus, crashes found earlier included.
 * Arguments are files or directories; the output is TAP, one line per
 * input, so a failure names the file that caused it.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>

#include <glib.h>

#include "fuzz.h"

static gint
compare_paths (gconstpointer a, gconstpointer b)
{
  return g_strcmp0 (*(const gchar *const *) a, *(const gchar *const *) b);
}

static void
collect (const gchar *path, GPtrArray *files)
{
  g_autoptr (GError) error = NULL;
  GDir *dir;
  const gchar *name;

  if (!g_file_test (path, G_FILE_TEST_IS_DIR)) {
    g_ptr_array_add (files, g_strdup (path));
    return;
  }
  dir = g_dir_open (path, 0, &error);
  if (dir == NULL) {
    fprintf (stderr, "%s\n", error->message);
    exit (1);
  }
  while ((name = g_dir_read_name (dir)) != NULL) {
    g_autofree gchar *child = g_build_filename (path, name, NULL);
    collect (child, files);
  }
  g_dir_close (dir);
}

int
main (int argc, char *argv[])
{
  g_autoptr (GPtrArray) files = g_ptr_array_new_with_free_func (g_free);

  for (int i = 1; i < argc; i++)
    collect (argv[i], files);
  g_ptr_array_sort (files, compare_paths);

  printf ("1..%u\n", files->len);
  for (guint i = 0; i < files->len; i++) {
    const gchar *path = g_ptr_array_index (files, i);
    g_autoptr (GError) error = NULL;
    g_autofree gchar *data = NULL;
    gsize len;

    if (!g_file_get_contents (path, &data, &len, &error)) {
      printf ("not ok %u - %s # %s\n", i + 1, path, error->message);
      continue;
    }
    /* a crash ends the stream here, which TAP reports as a failure */
    fflush (stdout);
    LLVMFuzzerTestOneInput ((const uint8_t *) data, len);
    printf ("ok %u - %s\n", i + 1, path);
  }
  return 0;
}
