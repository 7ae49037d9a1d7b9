# Fuzz targets (tests/fuzz/fuzz_*.cpp, each a LLVMFuzzerTestOneInput). In the
# normal build each links fuzz_driver.cpp: its corpus replayed, then mutated
# for a few seconds (label fuzz). With IOBENCH_LIBFUZZER=ON (clang) they link
# libFuzzer instead, for long runs by hand (tests/fuzz/README.md); no ctest.
option(IOBENCH_LIBFUZZER "Build the fuzz targets with clang's libFuzzer (-fsanitize=fuzzer)" OFF)
set(IOBENCH_FUZZ_SEED 1 CACHE STRING "PRNG seed of the fuzz tests' mutations")
# The whole ctest fuzz pass stays under a minute (five targets, two cores);
# under ASan + UBSan each execution is slower, so the budget is smaller there.
# A hang is an input over 1 s (release: the slowest seen is ~40 ms); ASan
# slows a 100000-deep flood to ~1 s, so its limit is 3 s.
if(IOBENCH_SANITIZE)
  set(fuzz_seconds 4)
  set(fuzz_hang_ms 3000)
else()
  set(fuzz_seconds 8)
  set(fuzz_hang_ms 1000)
endif()

set(fuzz_dir ${CMAKE_CURRENT_SOURCE_DIR}/fuzz)
if(NOT IOBENCH_LIBFUZZER)
  add_library(iobench_fuzz_driver OBJECT ${fuzz_dir}/fuzz_driver.cpp)
  target_include_directories(iobench_fuzz_driver PRIVATE ${PROJECT_SOURCE_DIR})
  # GCC 12 -O3 sees a bogus overlap in std::string::insert of a substring (a known false positive).
  target_compile_options(iobench_fuzz_driver PRIVATE -Wno-restrict)
endif()

set(IOBENCH_FUZZ_TARGETS units suite_file results_json http_parser ws_frame)
foreach(t IN LISTS IOBENCH_FUZZ_TARGETS)
  add_executable(fuzz_${t} ${fuzz_dir}/fuzz_${t}.cpp)
  target_include_directories(fuzz_${t} PRIVATE ${PROJECT_SOURCE_DIR})
  if(t STREQUAL results_json)
    target_link_libraries(fuzz_${t} PRIVATE iobench_results)
  else()
    target_link_libraries(fuzz_${t} PRIVATE iobench_core)
  endif()
  if(IOBENCH_LIBFUZZER)
    target_compile_options(fuzz_${t} PRIVATE -fsanitize=fuzzer)
    target_link_options(fuzz_${t} PRIVATE -fsanitize=fuzzer)
    continue()
  endif()
  target_link_libraries(fuzz_${t} PRIVATE iobench_fuzz_driver)
  add_test(NAME fuzz.${t} COMMAND fuzz_${t} --seconds=${fuzz_seconds} --seed=${IOBENCH_FUZZ_SEED} --hang-ms=${fuzz_hang_ms}
           --crash-dir=${CMAKE_CURRENT_BINARY_DIR}/fuzz-crashes ${fuzz_dir}/corpus/${t})
  set_tests_properties(fuzz.${t} PROPERTIES TIMEOUT 60 LABELS fuzz)
endforeach()

# Every committed reproducer (tests/fuzz/crashes/TARGET/*) replayed by its target.
if(NOT IOBENCH_LIBFUZZER)
  list(TRANSFORM IOBENCH_FUZZ_TARGETS PREPEND "fuzz_" OUTPUT_VARIABLE fuzz_bins)
  list(TRANSFORM fuzz_bins REPLACE "(.+)" "$<TARGET_FILE:\\1>" OUTPUT_VARIABLE fuzz_files)
  add_test(NAME fuzz.replay_crashes COMMAND ${fuzz_dir}/replay_crashes.sh ${fuzz_dir}/crashes ${fuzz_files})
  set_tests_properties(fuzz.replay_crashes PROPERTIES TIMEOUT 60 LABELS fuzz)
endif()
