/*
 * Native counterpart of the lightgbm-wasm TypeScript API, for equivalence fixtures and benchmarks.
 * Dataset and Booster both get the parameter string, as LightGBM's CLI and Python package do.
 * It makes the same C API calls, in the same order, with the same arguments as
 * src/model/lightgbm-wasm/lightgbm.ts does for Dataset -> Booster -> N x UpdateOneIter -> Save/Predict.
 *
 *   runner train <data.csv> <label-column> <params> <num_iterations> <model.txt> <predictions.txt>
 *   runner bench <data.csv> <label-column> <params> <num_iterations> <runs>
 *
 * CSV: a header row, numbers, empty cell = NaN. Columns other than the label are features in order.
 * bench prints one JSON line per run: {"dataset_ms":..,"train_ms":..,"predict_ms":..,"save_ms":..}
 */
#include <LightGBM/c_api.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define CHECK(call)                                                             \
  do {                                                                          \
    if ((call) != 0) {                                                          \
      fprintf(stderr, "%s failed: %s\n", #call, LGBM_GetLastError());           \
      exit(1);                                                                  \
    }                                                                           \
  } while (0)

typedef struct {
  int rows, cols;
  double* x;
  float* y;
  char** names;
} Data;

static char* read_file(const char* path) {
  FILE* f = fopen(path, "rb");
  if (!f) { perror(path); exit(1); }
  fseek(f, 0, SEEK_END);
  long n = ftell(f);
  fseek(f, 0, SEEK_SET);
  char* buf = malloc(n + 1);
  if (fread(buf, 1, n, f) != (size_t)n) { perror(path); exit(1); }
  buf[n] = 0;
  fclose(f);
  return buf;
}

static int count_fields(const char* line) {
  int n = 1;
  for (; *line && *line != '\n' && *line != '\r'; line++) if (*line == ',') n++;
  return n;
}

static Data load_csv(const char* path, const char* label) {
  Data d = {0};
  char* text = read_file(path);
  char* p = text;
  int fields = count_fields(p);
  d.cols = fields - 1;
  d.names = calloc(d.cols, sizeof(char*));
  int label_idx = -1, k = 0;
  for (int i = 0; i < fields; i++) {
    char* start = p;
    while (*p && *p != ',' && *p != '\n' && *p != '\r') p++;
    char* name = strndup(start, p - start);
    if (strcmp(name, label) == 0) label_idx = i; else if (k < d.cols) d.names[k++] = name;
    if (*p == ',') p++;
  }
  if (label_idx < 0) { fprintf(stderr, "no label column %s\n", label); exit(1); }
  while (*p == '\r' || *p == '\n') p++;
  int cap = 1024;
  d.x = malloc(sizeof(double) * cap * d.cols);
  d.y = malloc(sizeof(float) * cap);
  while (*p) {
    if (d.rows == cap) {
      cap *= 2;
      d.x = realloc(d.x, sizeof(double) * cap * d.cols);
      d.y = realloc(d.y, sizeof(float) * cap);
    }
    int c = 0;
    for (int i = 0; i < fields; i++) {
      char* start = p;
      while (*p && *p != ',' && *p != '\n' && *p != '\r') p++;
      double v = (p == start) ? NAN : strtod(start, NULL);
      if (i == label_idx) d.y[d.rows] = (float)v; else d.x[(size_t)d.rows * d.cols + c++] = v;
      if (*p == ',') p++;
    }
    d.rows++;
    while (*p == '\r' || *p == '\n') p++;
  }
  free(text);
  return d;
}

static double now_ms(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return t.tv_sec * 1e3 + t.tv_nsec / 1e6;
}

static DatasetHandle make_dataset(Data* d, const char* params) {
  DatasetHandle ds;
  CHECK(LGBM_DatasetCreateFromMat(d->x, C_API_DTYPE_FLOAT64, d->rows, d->cols, 1, params, NULL, &ds));
  CHECK(LGBM_DatasetSetField(ds, "label", d->y, d->rows, C_API_DTYPE_FLOAT32));
  CHECK(LGBM_DatasetSetFeatureNames(ds, (const char**)d->names, d->cols));
  return ds;
}

static BoosterHandle train(DatasetHandle ds, const char* params, int iters) {
  BoosterHandle b;
  CHECK(LGBM_BoosterCreate(ds, params, &b));
  for (int i = 0; i < iters; i++) {
    int finished = 0;
    CHECK(LGBM_BoosterUpdateOneIter(b, &finished));
    if (finished) break;
  }
  return b;
}

static char* save(BoosterHandle b) {
  int64_t len = 0, size = 1 << 16;
  char* buf = malloc(size);
  CHECK(LGBM_BoosterSaveModelToString(b, 0, -1, 0, size, &len, buf));
  if (len > size) {
    free(buf);
    buf = malloc(len);
    CHECK(LGBM_BoosterSaveModelToString(b, 0, -1, 0, len, &len, buf));
  }
  return buf;
}

static double* predict(BoosterHandle b, Data* d) {
  int64_t n = 0;
  double* out = malloc(sizeof(double) * d->rows);
  CHECK(LGBM_BoosterPredictForMat(b, d->x, C_API_DTYPE_FLOAT64, d->rows, d->cols, 1, C_API_PREDICT_NORMAL, 0, -1, "", &n, out));
  return out;
}

int main(int argc, char** argv) {
  if (argc < 7) {
    fprintf(stderr, "usage: runner train|bench <data.csv> <label> <params> <num_iterations> <model.txt predictions.txt | runs>\n");
    return 2;
  }
  Data d = load_csv(argv[2], argv[3]);
  const char* params = argv[4];
  int iters = atoi(argv[5]);
  if (strcmp(argv[1], "train") == 0) {
    if (argc < 8) return 2;
    DatasetHandle ds = make_dataset(&d, params);
    BoosterHandle b = train(ds, params, iters);
    char* text = save(b);
    FILE* f = fopen(argv[6], "wb");
    fputs(text, f);
    fclose(f);
    double* pred = predict(b, &d);
    f = fopen(argv[7], "wb");
    for (int i = 0; i < d.rows; i++) fprintf(f, "%.17g\n", pred[i]);
    fclose(f);
    return 0;
  }
  int runs = atoi(argv[6]);
  for (int r = 0; r < runs; r++) {
    double t0 = now_ms();
    DatasetHandle ds = make_dataset(&d, params);
    double t1 = now_ms();
    BoosterHandle b = train(ds, params, iters);
    double t2 = now_ms();
    double* pred = predict(b, &d);
    double t3 = now_ms();
    char* text = save(b);
    double t4 = now_ms();
    printf("{\"dataset_ms\":%.3f,\"train_ms\":%.3f,\"predict_ms\":%.3f,\"save_ms\":%.3f,\"check\":%.17g}\n", t1 - t0, t2 - t1, t3 - t2, t4 - t3, pred[0]);
    fflush(stdout);
    free(pred);
    free(text);
    CHECK(LGBM_BoosterFree(b));
    CHECK(LGBM_DatasetFree(ds));
  }
  return 0;
}
