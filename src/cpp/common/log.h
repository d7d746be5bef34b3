// log.h — native log messages, silent by default.
//
//   pyllm::log::info("prompt: ", n, " tokens in ", ms, " ms");
//
// Messages below the current level are never formatted. The sink (set by the Python binding to
// forward into Python's `logging`, logger "pyllm") receives (level, message); with no sink nothing
// is written anywhere. Levels use Python's numbers: DEBUG 10, INFO 20, WARNING 30, ERROR 40.
#pragma once

#include <functional>
#include <string>

#include "common/error.h"

namespace pyllm::log {

enum Level : int { Debug = 10, Info = 20, Warning = 30, Error = 40 };

using Sink = std::function<void(int level, const std::string& message)>;

// Install a sink (nullptr: silent) and the minimum level it receives.
void set_sink(Sink sink, int min_level);
void set_level(int min_level);
bool enabled(int level);
void write(int level, const std::string& message);

template <typename... A>
void info(const A&... a) {
    if (enabled(Info)) write(Info, ::pyllm::str(a...));
}
template <typename... A>
void debug(const A&... a) {
    if (enabled(Debug)) write(Debug, ::pyllm::str(a...));
}
template <typename... A>
void warning(const A&... a) {
    if (enabled(Warning)) write(Warning, ::pyllm::str(a...));
}

}  // namespace pyllm::log
