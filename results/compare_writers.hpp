// The comparison's three outputs: a table for a terminal, JSON for tools
// (results/SCHEMA.md, "compare output"), and GitHub-flavoured markdown for a CI
// job summary or a pull-request comment. Each says what was compared, how,
// every comparison's verdict, and the runs left out and why.
#pragma once

#include "results/compare.hpp"

#include <optional>
#include <ostream>
#include <string_view>

namespace iobench {

enum class compare_format : uint8_t { table, json, markdown };
std::optional<compare_format> parse_compare_format(std::string_view s);

inline constexpr const char* compare_schema_name = "iobench-compare/1";

void write_compare_table(std::ostream& out, const compare_report& r);
void write_compare_json(std::ostream& out, const compare_report& r);
void write_compare_markdown(std::ostream& out, const compare_report& r);
void write_compare(std::ostream& out, const compare_report& r, compare_format f);

}  // namespace iobench
