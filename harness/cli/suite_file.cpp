// Job files: the INI framing (sections, keys, lines) and sweep expansion;
// option names and values are left to the command-line parser.
#include "harness/cli/suite_file.hpp"

#include "harness/cli/errors.hpp"
#include "harness/cli/options.hpp"

#include <fstream>
#include <map>
#include <set>
#include <sstream>

namespace iobench {

namespace {

std::string trim(const std::string& s) {
    const size_t b = s.find_first_not_of(" \t\r");
    if (b == std::string::npos) return {};
    const size_t e = s.find_last_not_of(" \t\r");
    return s.substr(b, e - b + 1);
}

std::vector<std::string> split_list(const std::string& v) {
    if (v.empty()) return {v};  // a bare key: one (empty) value
    std::vector<std::string> out;
    std::stringstream in(v);
    for (std::string item; std::getline(in, item, ',');) out.push_back(trim(item));
    return out;
}

struct section {
    std::string name;
    unsigned line = 0;
    std::vector<suite_key> keys;
    std::map<std::string, unsigned> lines;  // key -> its line: a duplicate found in log time
};

std::string origin(const std::string& path, unsigned line);

[[noreturn]] void fail(const std::string& path, unsigned line, const std::string& key, const std::string& why) {
    throw usage_error(origin(path, line) + (key.empty() ? "" : key + ": ") + why);
}

// Booleans are written `key = true` or as a bare `key`; false drops the flag.
void add_arg(std::vector<std::string>& args, const std::string& key, const std::string& value) {
    if (value.empty() || value == "true" || value == "yes" || value == "on") args.push_back("--" + key);
    else if (value == "false" || value == "no" || value == "off") return;
    else args.push_back("--" + key + "=" + value);
}

// One job per combination of swept values, keys in the order written.
// Keys are unique within `keys`: an index by name keeps this linear (a
// section of 60000 keys was quadratic).
void override_keys(std::vector<suite_key>& keys, const std::vector<suite_key>& by) {
    std::map<std::string, size_t> at;
    for (size_t i = 0; i < keys.size(); ++i) at.emplace(keys[i].key, i);
    for (const suite_key& k : by) {
        if (const auto it = at.find(k.key); it != at.end()) {
            keys[it->second] = k;
        } else {
            at.emplace(k.key, keys.size());
            keys.push_back(k);
        }
    }
}

// Where a key came from, for messages: "FILE:LINE: " or "--set ".
std::string origin(const std::string& path, unsigned line) {
    return line ? path + ":" + std::to_string(line) + ": " : std::string("--set ");
}

void expand(const std::string& path, const section& global, const section& job, const std::vector<suite_key>& overrides,
            std::vector<suite_job>& out) {
    std::vector<suite_key> keys = global.keys;
    override_keys(keys, job.keys);   // a job's key replaces the global one
    override_keys(keys, overrides);  // and --set replaces both
    std::vector<suite_job> partial{{job.name, {"run"}, {}, job.line}};
    for (const suite_key& k : keys) {
        const std::vector<std::string> values =
            suite_key_is_list_valued(k.key) ? std::vector<std::string>{k.value} : split_list(k.value);
        for (const std::string& v : values)
            if (v.empty() && values.size() > 1) fail(path, k.line, k.key, "empty value in the list '" + k.value + "'");
        // A sweep multiplies: seven keys of ten values are 10^7 jobs, which
        // would hang the expansion; no real suite comes near the cap.
        if ((out.size() + partial.size()) * values.size() > max_suite_jobs)
            fail(path, k.line, k.key, "the sweeps expand to more than " + std::to_string(max_suite_jobs) + " jobs");
        if (values.size() == 1) {  // no sweep: every partial job takes the key in place (copies would be quadratic)
            for (suite_job& j : partial) {
                add_arg(j.args, k.key, values[0]);
                j.keys.push_back({k.key, values[0], k.line});
            }
            continue;
        }
        std::vector<suite_job> next;
        for (const suite_job& p : partial) {
            for (const std::string& v : values) {
                suite_job j = p;
                if (values.size() > 1) j.name += "-" + k.key + "=" + v;
                add_arg(j.args, k.key, v);
                j.keys.push_back({k.key, v, k.line});
                next.push_back(std::move(j));
            }
        }
        partial = std::move(next);
    }
    for (suite_job& j : partial) out.push_back(std::move(j));
}

}  // namespace

bool suite_key_is_list_valued(const std::string& key) { return key == "backend" || key == "b"; }

suite_key parse_suite_override(const std::string& text) {
    const size_t eq = text.find('=');
    suite_key k{trim(text.substr(0, eq)), eq == std::string::npos ? std::string() : trim(text.substr(eq + 1)), 0};
    if (k.key.empty() || k.key.find_first_of(" \t") != std::string::npos)
        throw usage_error("--set '" + text + "': want KEY=VALUE, KEY named as in a job file (repeat=2)");
    if (k.key == "o" || k.key == "output") throw usage_error("--set " + k.key + ": set by the suite (DIR/JOB.json)");
    return k;
}

suite parse_suite(const std::string& text, const std::string& path, const std::vector<suite_key>& overrides) {
    std::vector<section> sections;
    section global{"global", 0, {}, {}};
    section* current = nullptr;
    std::set<std::string> names;
    std::istringstream in(text);
    unsigned lineno = 0;
    for (std::string raw; std::getline(in, raw);) {
        ++lineno;
        const std::string line = trim(raw);
        if (line.empty() || line[0] == '#' || line[0] == ';') continue;
        if (line[0] == '[') {
            if (line.back() != ']') fail(path, lineno, "", "malformed section header '" + line + "'");
            const std::string name = trim(line.substr(1, line.size() - 2));
            if (name.empty()) fail(path, lineno, "", "empty section name");
            if (name.find_first_of(" /\\") != std::string::npos)
                fail(path, lineno, "", "section name '" + name + "' must not hold spaces or slashes (it names a file)");
            if (!names.insert(name).second) fail(path, lineno, "", "duplicate section [" + name + "]");
            if (name == "global") {
                current = &global;
            } else {
                sections.push_back({name, lineno, {}, {}});
                current = &sections.back();
            }
            continue;
        }
        if (!current) fail(path, lineno, "", "a key before any [section]");
        const size_t eq = line.find('=');
        const std::string key = trim(line.substr(0, eq));
        const std::string value = eq == std::string::npos ? std::string() : trim(line.substr(eq + 1));
        if (key.empty() || key.find_first_of(" \t") != std::string::npos)
            fail(path, lineno, "", "malformed line '" + line + "' (want key = value)");
        if (key == "o" || key == "output") fail(path, lineno, key, "set by the suite (DIR/JOB.json), not in the file");
        if (const auto [it, fresh] = current->lines.emplace(key, lineno); !fresh)
            fail(path, lineno, key, "given twice in [" + current->name + "] (first on line " + std::to_string(it->second) + ")");
        current->keys.push_back({key, value, lineno});
    }
    suite s;
    s.path = path;
    for (const section& job : sections) {
        if (job.keys.empty() && global.keys.empty()) fail(path, job.line, "", "job [" + job.name + "] sets nothing");
        expand(path, global, job, overrides, s.jobs);
    }
    if (s.jobs.empty()) fail(path, lineno, "", "no jobs (a [section] other than [global])");
    std::set<std::string> job_names;
    for (const suite_job& j : s.jobs)
        if (!job_names.insert(j.name).second) fail(path, j.section_line, "", "two jobs named " + j.name);
    return s;
}

suite read_suite(const std::string& path, const std::vector<suite_key>& overrides) {
    std::ifstream f(path);
    if (!f) throw usage_error(path + ": cannot read the suite file");
    std::stringstream ss;
    ss << f.rdbuf();
    return parse_suite(ss.str(), path, overrides);
}

void check_suite(const suite& s) {
    for (const suite_job& j : s.jobs) {
        std::vector<const char*> argv{"iobench"};
        for (const std::string& a : j.args) argv.push_back(a.c_str());
        try {
            parse_command_line(static_cast<int>(argv.size()), argv.data());
        } catch (const usage_error& e) {
            // Name the line of the key the parser complained about.
            const std::string msg = e.what();
            const suite_key* culprit = nullptr;
            for (const suite_key& k : j.keys)
                if (msg.find("--" + k.key) != std::string::npos || msg.find("'" + k.key + "'") != std::string::npos)
                    culprit = &k;
            if (culprit) fail(s.path, culprit->line, culprit->key, msg + " (job " + j.name + ")");
            throw usage_error(s.path + ": job " + j.name + ": " + msg);
        }
    }
}

}  // namespace iobench
