// What the verbs that take files (merge, plot) share: their flags plus the
// files as positional arguments, and --help.
#pragma once

#include <boost/program_options.hpp>
#include <sstream>
#include <string>
#include <vector>

namespace iobench {

// Parses `args` into `desc`'s flags and `inputs`. False when --help was asked:
// `help_text` then holds `head` and the flags.
inline bool parse_flags_and_inputs(const std::vector<std::string>& args, const boost::program_options::options_description& desc,
                                   std::vector<std::string>& inputs, const std::string& head, std::string& help_text) {
    namespace po = boost::program_options;
    po::options_description all;
    all.add(desc).add_options()("input", po::value(&inputs));
    po::positional_options_description pos;
    pos.add("input", -1);
    po::variables_map vm;
    po::store(po::command_line_parser(args).options(all).positional(pos).run(), vm);
    if (vm.count("help")) {
        std::ostringstream s;
        s << head << desc;
        help_text = s.str();
        return false;
    }
    po::notify(vm);
    return true;
}

}  // namespace iobench
