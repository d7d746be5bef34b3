#include "common/log.h"

#include <atomic>
#include <memory>
#include <mutex>

namespace pyllm::log {

namespace {
std::mutex g_mu;
std::shared_ptr<Sink> g_sink;            // guarded by g_mu
std::atomic<int> g_level{1 << 30};       // nothing enabled until a sink is installed
}  // namespace

void set_sink(Sink sink, int min_level) {
    std::lock_guard<std::mutex> lock(g_mu);
    g_sink = sink ? std::make_shared<Sink>(std::move(sink)) : nullptr;
    g_level.store(g_sink ? min_level : (1 << 30));
}

void set_level(int min_level) {
    std::lock_guard<std::mutex> lock(g_mu);
    if (g_sink) g_level.store(min_level);
}

bool enabled(int level) { return level >= g_level.load(std::memory_order_relaxed); }

void write(int level, const std::string& message) {
    std::shared_ptr<Sink> s;
    {
        std::lock_guard<std::mutex> lock(g_mu);
        s = g_sink;
    }
    if (s && level >= g_level.load()) (*s)(level, message);
}

}  // namespace pyllm::log
