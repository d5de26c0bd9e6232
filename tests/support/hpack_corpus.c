/* Loads hpack-test-case stories: directory walk, JSON to fields and wire. */
#include "hpack_corpus.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define RAW_DATA_DIRECTORY "raw-data"

typedef struct name_list {
  char **names;
  size_t count;
} name_list;

static void name_list_free(name_list *list) {
  for (size_t i = 0; i < list->count; i++)
    free(list->names[i]);
  free(list->names);
  memset(list, 0, sizeof *list);
}

static int compare_names(const void *a, const void *b) {
  return strcmp(*(char *const *)a, *(char *const *)b);
}

static char *join_path(const char *dir, const char *name) {
  size_t len = strlen(dir) + 1 + strlen(name) + 1;
  char *path = malloc(len);
  if (path != NULL)
    snprintf(path, len, "%s/%s", dir, name);
  return path;
}

static int is_directory(const char *dir, const char *name) {
  struct stat info;
  char *path = join_path(dir, name);
  int yes = path != NULL && stat(path, &info) == 0 && S_ISDIR(info.st_mode);
  free(path);
  return yes;
}

static int has_json_suffix(const char *name) {
  size_t len = strlen(name);
  return len > 5 && strcmp(name + len - 5, ".json") == 0;
}

/* Entries of dir that are directories (want_directories) or .json files,
 * sorted by name. Hidden entries are skipped. */
static int list_entries(const char *dir, int want_directories,
                        name_list *list) {
  DIR *stream = opendir(dir);
  struct dirent *entry;
  size_t capacity = 0;
  memset(list, 0, sizeof *list);
  if (stream == NULL) {
    fprintf(stderr, "hpack_corpus: cannot open directory %s\n", dir);
    return -1;
  }
  while ((entry = readdir(stream)) != NULL) {
    const char *name = entry->d_name;
    if (name[0] == '.' ||
        (want_directories ? !is_directory(dir, name) : !has_json_suffix(name)))
      continue;
    if (list->count == capacity) {
      capacity = capacity ? capacity * 2 : 32;
      char **grown = realloc(list->names, capacity * sizeof *grown);
      if (grown == NULL)
        goto fail;
      list->names = grown;
    }
    if ((list->names[list->count] = strdup(name)) == NULL)
      goto fail;
    list->count++;
  }
  closedir(stream);
  qsort(list->names, list->count, sizeof *list->names, compare_names);
  return 0;
fail:
  closedir(stream);
  name_list_free(list);
  return -1;
}

static int hex_value(char c) {
  if (c >= '0' && c <= '9')
    return c - '0';
  if (c >= 'a' && c <= 'f')
    return c - 'a' + 10;
  if (c >= 'A' && c <= 'F')
    return c - 'A' + 10;
  return -1;
}

static int decode_wire(hpack_case *out, const json_value *hex) {
  if (hex == NULL || hex->kind != JSON_STRING || hex->string_len % 2 != 0)
    return -1;
  out->wire_len = hex->string_len / 2;
  out->wire = malloc(out->wire_len ? out->wire_len : 1);
  if (out->wire == NULL)
    return -1;
  for (size_t i = 0; i < out->wire_len; i++) {
    int high = hex_value(hex->string[2 * i]);
    int low = hex_value(hex->string[2 * i + 1]);
    if (high < 0 || low < 0)
      return -1;
    out->wire[i] = (uint8_t)(high << 4 | low);
  }
  return 0;
}

/* "headers": [{name: value}, ...] in order. */
static int read_fields(hpack_case *out, const json_value *headers) {
  if (headers == NULL || headers->kind != JSON_ARRAY)
    return -1;
  out->field_count = headers->count;
  out->fields =
      calloc(headers->count ? headers->count : 1, sizeof *out->fields);
  if (out->fields == NULL)
    return -1;
  for (size_t i = 0; i < headers->count; i++) {
    const json_value *pair = &headers->items[i];
    if (pair->kind != JSON_OBJECT || pair->count != 1 ||
        pair->items[0].kind != JSON_STRING)
      return -1;
    h2e_field *field = &out->fields[i];
    field->name = (const uint8_t *)pair->items[0].key;
    field->name_len = (uint32_t)pair->items[0].key_len;
    field->value = (const uint8_t *)pair->items[0].string;
    field->value_len = (uint32_t)pair->items[0].string_len;
  }
  return 0;
}

static int read_table_size(hpack_case *out, const json_value *size) {
  out->header_table_size = HPACK_CASE_NO_TABLE_SIZE;
  if (size == NULL || size->kind == JSON_NULL)
    return 0;
  if (size->kind != JSON_NUMBER || size->number < 0 ||
      size->number > (double)UINT32_MAX)
    return -1;
  out->header_table_size = (long)size->number;
  return 0;
}

static int read_case(hpack_case *out, const json_value *json,
                     hpack_corpus_part part) {
  if (json->kind != JSON_OBJECT ||
      read_fields(out, json_member(json, "headers")) != 0 ||
      read_table_size(out, json_member(json, "header_table_size")) != 0)
    return -1;
  return part == HPACK_CORPUS_WIRE ? decode_wire(out, json_member(json, "wire"))
                                   : 0;
}

static void story_free(hpack_story *story) {
  for (size_t i = 0; i < story->case_count; i++) {
    free(story->cases[i].wire);
    free(story->cases[i].fields);
  }
  free(story->cases);
  free(story->path);
  json_free(&story->json);
  memset(story, 0, sizeof *story);
}

static int read_story(hpack_story *story, const char *root,
                      hpack_corpus_part part) {
  char *file = join_path(root, story->path);
  int rv = file != NULL ? json_parse_file(&story->json, file) : -1;
  free(file);
  if (rv != 0)
    return -1;
  const json_value *cases = json_member(&story->json, "cases");
  if (cases == NULL || cases->kind != JSON_ARRAY)
    return -1;
  story->cases = calloc(cases->count ? cases->count : 1, sizeof *story->cases);
  if (story->cases == NULL)
    return -1;
  for (; story->case_count < cases->count; story->case_count++) {
    hpack_case *c = &story->cases[story->case_count];
    if (read_case(c, &cases->items[story->case_count], part) != 0) {
      story->case_count++; /* so story_free releases this one too */
      fprintf(stderr, "hpack_corpus: %s: malformed case %zu\n", story->path,
              story->case_count - 1);
      return -1;
    }
  }
  return 0;
}

static void count_story(hpack_corpus *corpus, const hpack_story *story) {
  corpus->case_count += story->case_count;
  for (size_t i = 0; i < story->case_count; i++) {
    const hpack_case *c = &story->cases[i];
    corpus->wire_bytes += c->wire_len;
    if (c->field_count > corpus->max_fields)
      corpus->max_fields = c->field_count;
    for (size_t k = 0; k < c->field_count; k++)
      corpus->field_bytes += c->fields[k].name_len + c->fields[k].value_len;
  }
}

static int add_story(hpack_corpus *corpus, const char *root,
                     const char *directory, const char *file,
                     hpack_corpus_part part) {
  hpack_story *grown =
      realloc(corpus->stories, (corpus->story_count + 1) * sizeof *grown);
  if (grown == NULL)
    return -1;
  corpus->stories = grown;
  hpack_story *story = &corpus->stories[corpus->story_count];
  memset(story, 0, sizeof *story);
  story->path = join_path(directory, file);
  if (story->path == NULL || read_story(story, root, part) != 0) {
    story_free(story);
    return -1;
  }
  corpus->story_count++;
  count_story(corpus, story);
  return 0;
}

static int load_directory(hpack_corpus *corpus, const char *root,
                          const char *directory, hpack_corpus_part part) {
  char *path = join_path(root, directory);
  name_list files = {0};
  int rv = path != NULL ? list_entries(path, 0, &files) : -1;
  free(path);
  for (size_t i = 0; rv == 0 && i < files.count; i++)
    rv = add_story(corpus, root, directory, files.names[i], part);
  name_list_free(&files);
  corpus->directory_count++;
  return rv;
}

int hpack_corpus_load(hpack_corpus *corpus, const char *root,
                      hpack_corpus_part part) {
  name_list directories;
  memset(corpus, 0, sizeof *corpus);
  if (list_entries(root, 1, &directories) != 0)
    return -1;
  int rv = 0;
  for (size_t i = 0; rv == 0 && i < directories.count; i++) {
    int is_raw = strcmp(directories.names[i], RAW_DATA_DIRECTORY) == 0;
    if (is_raw == (part == HPACK_CORPUS_RAW))
      rv = load_directory(corpus, root, directories.names[i], part);
  }
  name_list_free(&directories);
  if (rv != 0)
    hpack_corpus_free(corpus);
  return rv;
}

void hpack_corpus_free(hpack_corpus *corpus) {
  for (size_t i = 0; i < corpus->story_count; i++)
    story_free(&corpus->stories[i]);
  free(corpus->stories);
  memset(corpus, 0, sizeof *corpus);
}

uint32_t hpack_story_max_table_size(const hpack_story *story,
                                    uint32_t at_least) {
  uint32_t max = at_least;
  for (size_t i = 0; i < story->case_count; i++)
    if (story->cases[i].header_table_size > (long)max)
      max = (uint32_t)story->cases[i].header_table_size;
  return max;
}
