// error.h — pyllm's exception hierarchy. C++ code throws these; bindings/module.cpp maps them to
// Python: FormatError -> pyllm.GGUFError (ValueError), UnsupportedError -> pyllm.UnsupportedModelError
// (ValueError), InvalidArgument -> ValueError, OutOfRange -> IndexError, NotImplemented -> NotImplementedError,
// IOError -> OSError (FileNotFoundError etc. from errno).
// Never exit(), never log-and-return-null: every message names the file, key, tensor or value at fault.
#pragma once

#include <sstream>
#include <stdexcept>
#include <string>
#include <utility>

namespace pyllm {

struct Error : std::runtime_error {
    using std::runtime_error::runtime_error;
};
// A file does not follow its format (truncated, corrupt, hostile).
struct FormatError : Error {
    using Error::Error;
};
// A well-formed file asks for something pyllm does not implement (architecture, tensor type, ...).
struct UnsupportedError : Error {
    using Error::Error;
};
// A caller passed a bad value (negative size, wrong shape, unknown option).
struct InvalidArgument : Error {
    using Error::Error;
};
// An index (token id, position) outside its range.
struct OutOfRange : Error {
    using Error::Error;
};
// A feature exists in the format but is not implemented yet (e.g. dequantizing an exotic type).
struct NotImplemented : Error {
    using Error::Error;
};
// The operating system refused (file missing, mmap failed). errno_value is kept for OSError.
struct IOError : Error {
    IOError(const std::string& what, int err) : Error(what), errno_value(err) {}
    int errno_value;
};

namespace detail {
inline void append_all(std::ostringstream&) {}
template <typename T, typename... Rest>
void append_all(std::ostringstream& os, const T& v, const Rest&... rest) {
    os << v;
    append_all(os, rest...);
}
}  // namespace detail

// str("tensor '", name, "' has ", n, " dims") — build a message from pieces.
template <typename... Args>
std::string str(const Args&... args) {
    std::ostringstream os;
    detail::append_all(os, args...);
    return os.str();
}

}  // namespace pyllm

// PYLLM_CHECK(cond, ExceptionType, message pieces...) — throw ExceptionType(str(pieces...)) if !cond.
#define PYLLM_CHECK(cond, Exc, ...)                      \
    do {                                                 \
        if (!(cond)) throw Exc(::pyllm::str(__VA_ARGS__)); \
    } while (0)
