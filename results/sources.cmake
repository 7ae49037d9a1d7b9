# The results library: the result model, histogram, writers, reader and schema
# check. It links nothing of the harness, backends or workloads (and includes
# none of their headers), so plots and the comparison gate can use it alone.
add_library(iobench_results STATIC
  results/compare.cpp
  results/compare_inputs.cpp
  results/compare_writers.cpp
  results/csv_writer.cpp
  results/export_files.cpp
  results/gab_writer.cpp
  results/gbench_reader.cpp
  results/gbench_writer.cpp
  results/histogram.cpp
  results/json_params.cpp
  results/json_reader.cpp
  results/json_writer.cpp
  results/rank_tests.cpp
  results/verdict.cpp
  results/repetitions.cpp
  results/merge.cpp
  results/run_result.cpp
  results/schema_check.cpp
  results/table_writer.cpp
  results/units_text.cpp
)
target_include_directories(iobench_results PUBLIC ${CMAKE_CURRENT_SOURCE_DIR})
# Boost.Math (header-only): the normal distribution of the rank tests.
target_link_libraries(iobench_results PUBLIC nlohmann_json::nlohmann_json Boost::headers)
