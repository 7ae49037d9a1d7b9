// Temporary name, then rename: the only way a results file appears.
#include "harness/cli/output_file.hpp"

#include "harness/cli/errors.hpp"

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <iostream>
#include <unistd.h>

namespace iobench {

output_file::output_file(std::string path, std::string flag) : path_(std::move(path)), flag_(std::move(flag)) {
    if (path_.empty() || to_stdout()) return;
    tmp_ = path_ + ".partial." + std::to_string(::getpid());
    guard_.emplace(tmp_);
    out_.open(tmp_);
    if (!out_) throw usage_error(flag_ + " " + path_ + ": cannot write there (" + std::strerror(errno) + ")");
}

output_file::~output_file() {
    if (!tmp_.empty()) std::remove(tmp_.c_str());
}

std::ostream* output_file::stream() { return path_.empty() ? nullptr : to_stdout() ? &std::cout : &out_; }

void output_file::commit() {
    if (to_stdout()) {
        std::cout.flush();
        if (!std::cout) throw std::runtime_error(flag_ + " -: could not write the results to stdout");
        return;
    }
    out_.close();
    if (!out_ || std::rename(tmp_.c_str(), path_.c_str()) != 0)
        throw std::runtime_error(flag_ + " " + path_ + ": could not write the results");
    tmp_.clear();
    guard_.reset();
}

}  // namespace iobench
