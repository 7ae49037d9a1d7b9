# The charts library: reads result files (iobench_results) and draws them with
# gnuplot through gnuplot-iostream. It links nothing of the harness, backends
# or workloads and includes none of their headers.
find_package(Boost 1.74 REQUIRED COMPONENTS iostreams filesystem)
add_library(iobench_plots STATIC
  plots/baseline_verdicts.cpp
  plots/chart_frame.cpp
  plots/charts_forest.cpp
  plots/charts_spectrum.cpp
  plots/charts_summary.cpp
  plots/charts_sweep.cpp
  plots/charts_timeline.cpp
  plots/gnuplot_process.cpp
  plots/html_report.cpp
  plots/plot_inputs.cpp
  plots/report.cpp
  plots/run_facts.cpp
)
target_link_libraries(iobench_plots PUBLIC iobench_results PRIVATE Boost::iostreams Boost::filesystem)
# GCC 12 warns falsely on `"text" + std::string` once inlined at -O3 (GCC bug
# 105329, fixed in 13); the charts build their gnuplot text that way throughout.
if(CMAKE_CXX_COMPILER_ID STREQUAL "GNU" AND CMAKE_CXX_COMPILER_VERSION VERSION_LESS 13)
  target_compile_options(iobench_plots PRIVATE -Wno-restrict)
endif()
