#include "common/thread_pool.h"

#include "common/error.h"

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
#define PYLLM_PAUSE() _mm_pause()
#else
#define PYLLM_PAUSE() std::this_thread::yield()
#endif

namespace pyllm {

namespace {
constexpr int kSpinIterations = 20000;  // ~tens of microseconds before sleeping
}

ThreadPool::ThreadPool(int n_threads) : n_threads_(n_threads) {
    PYLLM_CHECK(n_threads >= 1 && n_threads <= 1024, InvalidArgument, "n_threads must be in [1, 1024], got ", n_threads);
    threads_.reserve(n_threads - 1);
    for (int i = 1; i < n_threads; ++i) threads_.emplace_back([this, i] { worker(i); });
}

ThreadPool::~ThreadPool() {
    {
        std::lock_guard<std::mutex> lk(mutex_);
        stop_.store(true);
        generation_.fetch_add(1);
    }
    cv_.notify_all();
    for (auto& t : threads_) t.join();
}

void ThreadPool::chunk(int64_t n, int i, int n_threads, int64_t grain, int64_t* begin, int64_t* end) {
    if (grain < 1) grain = 1;
    int64_t units = (n + grain - 1) / grain;
    int64_t per = units / n_threads, extra = units % n_threads;
    int64_t ub = i * per + (i < extra ? i : extra);
    int64_t ue = ub + per + (i < extra ? 1 : 0);
    *begin = ub * grain < n ? ub * grain : n;
    *end = ue * grain < n ? ue * grain : n;
}

void ThreadPool::run(const std::function<void(int, int)>& fn) {
    std::lock_guard<std::mutex> serial(run_mutex_);
    if (n_threads_ == 1) {
        fn(0, 1);
        return;
    }
    error_ = nullptr;
    {
        std::lock_guard<std::mutex> lk(mutex_);
        job_ = &fn;
        pending_.store(n_threads_ - 1);
        generation_.fetch_add(1, std::memory_order_release);
    }
    cv_.notify_all();
    try {
        fn(0, n_threads_);
    } catch (...) {
        std::lock_guard<std::mutex> lk(error_mutex_);
        if (!error_) error_ = std::current_exception();
    }
    // Spin while the workers are (very likely) about to finish; then yield, so that on an
    // oversubscribed machine a descheduled worker gets the core instead of us burning it.
    for (int s = 0; pending_.load(std::memory_order_acquire) != 0; ++s) {
        if (s < kSpinIterations) PYLLM_PAUSE();
        else std::this_thread::yield();
    }
    job_ = nullptr;
    if (error_) std::rethrow_exception(error_);
}

void ThreadPool::worker(int index) {
    uint64_t seen = 0;
    for (;;) {
        // Spin for a while waiting for the next generation, then sleep on the condition variable.
        uint64_t g = generation_.load(std::memory_order_acquire);
        for (int s = 0; g == seen && s < kSpinIterations; ++s) {
            if (s < kSpinIterations / 2) PYLLM_PAUSE();
            else std::this_thread::yield();
            g = generation_.load(std::memory_order_acquire);
        }
        if (g == seen) {
            std::unique_lock<std::mutex> lk(mutex_);
            cv_.wait(lk, [&] { return generation_.load() != seen; });
            g = generation_.load();
        }
        seen = g;
        if (stop_.load()) return;
        const std::function<void(int, int)>* job = job_;
        try {
            (*job)(index, n_threads_);
        } catch (...) {
            std::lock_guard<std::mutex> lk(error_mutex_);
            if (!error_) error_ = std::current_exception();
        }
        pending_.fetch_sub(1, std::memory_order_acq_rel);
    }
}

}  // namespace pyllm
