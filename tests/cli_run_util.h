// tests/cli_run_util.h - helpers of the command-line suites that run the
// built binary (PESIM_BINARY) from the source root: run a command and capture
// its output and exit status, temporary directories, file reading, a count
// from a store, and a
// minimal JSON parser (enough to check structure and values). Used by every
// suite that runs the binary (cli_test.cc, search_*cli_test.cc, sweep_cli_test.cc).
#ifndef PESIM_TESTS_CLI_RUN_UTIL_H
#define PESIM_TESTS_CLI_RUN_UTIL_H

#include <gtest/gtest.h>

#include <sqlite3.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

namespace {

struct Result {
    int status = -1;  // exit status, -1 if killed by a signal
    std::string out, err;
};

inline std::string ReadFile(const std::string &path)
{
    std::ifstream in(path, std::ios::binary);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

// Writes `text` to `path`; false if it cannot.
inline bool WriteFile(const std::string &path, const std::string &text)
{
    std::ofstream out(path, std::ios::binary);
    out << text;
    return static_cast<bool>(out);
}

// The first column of the first row of `sql` on the store `db` (-1: none).
inline int64_t Count(const std::string &db, const char *sql)
{
    sqlite3 *h = nullptr;
    sqlite3_stmt *q = nullptr;
    int64_t n = -1;
    if (sqlite3_open(db.c_str(), &h) == SQLITE_OK && sqlite3_prepare_v2(h, sql, -1, &q, nullptr) == SQLITE_OK &&
        sqlite3_step(q) == SQLITE_ROW)
        n = sqlite3_column_int64(q, 0);
    sqlite3_finalize(q);
    sqlite3_close(h);
    return n;
}

inline bool Exists(const std::string &path)
{
    struct stat st;
    return stat(path.c_str(), &st) == 0;
}

inline std::string TempDir(const char *tag)
{
    std::string tmpl = ::testing::TempDir() + "pesim_cli_" + tag + "_XXXXXX";
    std::vector<char> buf(tmpl.begin(), tmpl.end());
    buf.push_back('\0');
    const char *d = mkdtemp(buf.data());
    EXPECT_NE(d, nullptr);
    return d ? std::string(d) : std::string("/tmp");
}

// The CLI tests' tiny architecture (tests/data/cli/tiny_arch.cfg) at a clock
// of 333.3333333 MHz, written into dir; returns its path. Its DRAM (DDR4,
// tCK 0.625 ns) to accelerator clock ratio is no fraction with a denominator
// up to 1e6, so the SystemC reference cannot run it (PESIM_ERR_RANGE,
// pesim/systemc.h) while the other evaluators can.
inline std::string OddClockArch(const std::string &dir)
{
    std::string arch = ReadFile("tests/data/cli/tiny_arch.cfg"), from = "clock_mhz = 500.0;";
    size_t at = arch.find(from);
    EXPECT_NE(at, std::string::npos);
    if (at != std::string::npos)
        arch.replace(at, from.size(), "clock_mhz = 333.3333333;");
    std::string path = dir + "/odd_clock.cfg";
    std::ofstream(path) << arch;
    return path;
}

// Runs a shell command line, capturing its stdout, stderr and exit status.
inline Result Shell(const std::string &command)
{
    static int counter = 0;
    std::string err_path = ::testing::TempDir() + "pesim_cli_err_" + std::to_string(getpid()) + "_" +
                           std::to_string(counter++);
    std::string cmd = command + " 2>'" + err_path + "'";
    Result r;
    FILE *p = popen(cmd.c_str(), "r");
    if (!p) return r;
    char buf[4096];
    size_t n;
    while ((n = fread(buf, 1, sizeof buf, p)) > 0) r.out.append(buf, n);
    int st = pclose(p);
    r.status = WIFEXITED(st) ? WEXITSTATUS(st) : -1;
    r.err = ReadFile(err_path);
    std::remove(err_path.c_str());
    return r;
}

// Runs `pesim ARGS` from the source root, or from `dir` when given.
inline Result Pesim(const std::string &args, const std::string &dir = "")
{
    return Shell((dir.empty() ? "" : "cd '" + dir + "' && ") + "'" PESIM_BINARY "' " + args);
}

inline std::vector<std::string> Split(const std::string &s, char sep)
{
    std::vector<std::string> out;
    std::string cur;
    for (char c : s) {
        if (c == sep) {
            out.push_back(cur);
            cur.clear();
        } else {
            cur.push_back(c);
        }
    }
    if (!cur.empty()) out.push_back(cur);
    return out;
}

// ---- a minimal JSON parser: enough to check structure and values ----------
struct Json {
    enum Type { kNull, kBool, kNum, kStr, kArr, kObj } type = kNull;
    bool b = false;
    double num = 0;
    std::string str;
    std::vector<Json> arr;
    std::map<std::string, Json> obj;

    bool Has(const std::string &k) const { return type == kObj && obj.count(k); }
    const Json &operator[](const std::string &k) const
    {
        static const Json null;
        auto it = obj.find(k);
        return it == obj.end() ? null : it->second;
    }
};

class JsonParser {
  public:
    explicit JsonParser(const std::string &s) : s_(s) {}
    // Parses one value filling the whole text; false on any syntax error.
    bool Parse(Json *out)
    {
        if (!Value(out, 0))
            return false;
        Ws();
        return i_ == s_.size();
    }

  private:
    void Ws()
    {
        while (i_ < s_.size() && std::strchr(" \t\r\n", s_[i_]))
            i_++;
    }
    bool Lit(const char *w)
    {
        size_t n = std::strlen(w);
        if (s_.compare(i_, n, w) != 0)
            return false;
        i_ += n;
        return true;
    }
    bool String(std::string *out)
    {
        if (s_[i_] != '"')
            return false;
        for (i_++; i_ < s_.size(); i_++) {
            unsigned char c = static_cast<unsigned char>(s_[i_]);
            if (c == '"') {
                i_++;
                return true;
            }
            if (c < 0x20)
                return false;  // raw control characters are not allowed
            if (c != '\\') {
                out->push_back(static_cast<char>(c));
                continue;
            }
            if (++i_ >= s_.size())
                return false;
            char e = s_[i_];
            const char *esc = std::strchr("\"\\/bfnrt", e);
            if (esc && e) {
                static const char kTo[] = "\"\\/\b\f\n\r\t";
                out->push_back(kTo[esc - "\"\\/bfnrt"]);
            } else if (e == 'u' && i_ + 4 < s_.size()) {
                unsigned v = 0;
                for (int k = 1; k <= 4; k++) {
                    char h = s_[i_ + k];
                    if (!std::isxdigit(static_cast<unsigned char>(h)))
                        return false;
                    v = v * 16 + static_cast<unsigned>(std::isdigit(h) ? h - '0' : (h | 32) - 'a' + 10);
                }
                out->push_back(v < 0x80 ? static_cast<char>(v) : '?');
                i_ += 4;
            } else {
                return false;
            }
        }
        return false;
    }
    bool Number(Json *out)
    {
        size_t start = i_;
        if (s_[i_] == '-')
            i_++;
        if (i_ >= s_.size() || !std::isdigit(static_cast<unsigned char>(s_[i_])))
            return false;
        if (s_[i_] == '0' && i_ + 1 < s_.size() && std::isdigit(static_cast<unsigned char>(s_[i_ + 1])))
            return false;  // no leading zeros
        while (i_ < s_.size() && std::strchr("0123456789.eE+-", s_[i_]))
            i_++;
        std::string tok = s_.substr(start, i_ - start);
        char *end = nullptr;
        out->num = std::strtod(tok.c_str(), &end);
        out->type = Json::kNum;
        return end && *end == '\0';
    }
    bool Value(Json *out, int depth)
    {
        if (depth > 64)
            return false;
        Ws();
        if (i_ >= s_.size())
            return false;
        char c = s_[i_];
        if (c == '{') {
            out->type = Json::kObj;
            i_++;
            Ws();
            if (i_ < s_.size() && s_[i_] == '}') {
                i_++;
                return true;
            }
            for (;;) {
                Ws();
                std::string key;
                if (i_ >= s_.size() || !String(&key))
                    return false;
                if (out->obj.count(key))
                    return false;  // duplicate keys are a writer bug
                Ws();
                if (i_ >= s_.size() || s_[i_++] != ':')
                    return false;
                if (!Value(&out->obj[key], depth + 1))
                    return false;
                Ws();
                if (i_ >= s_.size())
                    return false;
                if (s_[i_] == ',') { i_++; continue; }
                if (s_[i_] == '}') { i_++; return true; }
                return false;
            }
        }
        if (c == '[') {
            out->type = Json::kArr;
            i_++;
            Ws();
            if (i_ < s_.size() && s_[i_] == ']') {
                i_++;
                return true;
            }
            for (;;) {
                out->arr.emplace_back();
                if (!Value(&out->arr.back(), depth + 1))
                    return false;
                Ws();
                if (i_ >= s_.size())
                    return false;
                if (s_[i_] == ',') { i_++; continue; }
                if (s_[i_] == ']') { i_++; return true; }
                return false;
            }
        }
        if (c == '"') {
            out->type = Json::kStr;
            return String(&out->str);
        }
        if (Lit("true")) { out->type = Json::kBool; out->b = true; return true; }
        if (Lit("false")) { out->type = Json::kBool; out->b = false; return true; }
        if (Lit("null")) { out->type = Json::kNull; return true; }
        return Number(out);
    }

    const std::string &s_;
    size_t i_ = 0;
};

inline Json ParseJson(const std::string &text)
{
    Json j;
    JsonParser p(text);
    EXPECT_TRUE(p.Parse(&j)) << text;
    return j;
}

}  // namespace

#endif
