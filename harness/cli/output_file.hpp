// A results file written to a temporary name beside it and renamed into place
// at commit(), so a failed or interrupted run never leaves half a document.
#pragma once

#include "harness/system/interrupt.hpp"

#include <fstream>
#include <optional>
#include <ostream>
#include <string>

namespace iobench {

class output_file {
public:
    // "" = no file (stream() is null); "-" = stdout, written once at the end.
    // A path that cannot be written is bad input (usage_error naming `flag`).
    explicit output_file(std::string path, std::string flag = "-o");
    ~output_file();
    output_file(const output_file&) = delete;
    output_file& operator=(const output_file&) = delete;
    bool to_stdout() const { return path_ == "-"; }
    std::ostream* stream();
    void commit();  // throws std::runtime_error if the file could not be written

private:
    std::string path_, flag_, tmp_;
    std::ofstream out_;
    std::optional<temp_file_guard> guard_;  // a second Ctrl-C still removes tmp_
};

}  // namespace iobench
