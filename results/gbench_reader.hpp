// Google Benchmark JSON (iobench-micro's output, or any benchmark binary's
// --benchmark_format=json) read into the result model, so `iobench compare`
// and `iobench plot` take it as they take a results file. The inverse of
// gbench_writer: a benchmark's name is WORKLOAD/.../BACKEND followed by
// Google Benchmark's own suffixes (process_time, real_time, threads:N ...),
// which are dropped; each "iteration" entry is one repetition; aggregates
// (mean, median, stddev, cv) are left out, the result model computes its own.
#pragma once

#include "results/json_reader.hpp"

#include <nlohmann/json.hpp>

namespace iobench {

inline constexpr const char* gbench_schema_name = "google-benchmark";

// A document with `context` and `benchmarks[]` and no iobench `schema`.
bool is_gbench_document(const nlohmann::ordered_json& doc);

// Google Benchmark prints a counter it cannot compute as a bare NaN or inf
// (": NaN,"), which is not JSON: the text with those values as null.
std::string gbench_nan_as_null(const std::string& text);

// Per benchmark: iops = items_per_second (or iterations per second without
// it), cpu_per_op from cpu_time per item, bytes_per_sec; no latency
// histogram (a benchmark stores none). A benchmark whose every entry is an
// error (SkipWithError) is `unsupported` with its message. Throws
// std::runtime_error naming what is missing.
result_file read_gbench(const nlohmann::ordered_json& doc);

}  // namespace iobench
