// Exports for tools that already read other formats: CSV (one flat row per
// run, for spreadsheets), Google Benchmark's JSON (its tools/compare.py and
// the dashboards that read it) and github-action-benchmark's
// customBiggerIsBetter / customSmallerIsBetter lists. Each writer reads the
// result model only, and takes every document of an invocation (one for
// `run`, one per job for `suite`). Columns and mappings: results/EXPORTS.md.
#pragma once

#include "results/json_reader.hpp"

#include <optional>
#include <ostream>
#include <string>
#include <vector>

namespace iobench {

// What --format asks for. The native JSON is the record every other format
// is made from: with -o it is always written.
struct export_set {
    bool csv = false, gbench = false, gab = false;
};

// "json,csv,gbench,gab", any subset in any order; nullopt and `unknown` set
// to the first item that is none of them.
std::optional<export_set> parse_export_list(const std::string& list, std::string& unknown);

// One file an export_set asks for (gab is two: bigger- and smaller-is-better).
enum class export_file : unsigned char { csv, gbench, gab_bigger, gab_smaller };
std::vector<export_file> export_files(const export_set& s);

// Beside a run's `-o PATH`: PATH without its .json, plus .csv, .gbench.json,
// .gab-bigger.json or .gab-smaller.json.
std::string export_path_beside(const std::string& json_path, export_file f);
// In a suite's DIR: results.csv, gbench.json, gab-bigger.json, gab-smaller.json.
std::string export_name_in_dir(export_file f);

void write_export(std::ostream& out, export_file f, const std::vector<result_file>& docs);

// The writers (one .cpp each).
void write_csv(std::ostream& out, const std::vector<result_file>& docs);
void write_gbench_json(std::ostream& out, const std::vector<result_file>& docs);
enum class gab_direction : unsigned char { bigger_is_better, smaller_is_better };
void write_gab_json(std::ostream& out, const std::vector<result_file>& docs, gab_direction d);

// A run's name in the gbench and gab exports: JOB/BACKEND for a suite job;
// otherwise WORKLOAD/bs:N/iodepth:N/BACKEND (storage) or
// WORKLOAD/connections:N/BACKEND (network).
std::string export_run_name(const run_context& ctx, const run_result& r);
// Runs that measured something (ok or suspect); the others are only in CSV.
bool export_has_measurement(const run_result& r);

}  // namespace iobench
