// thread_pool.h — a persistent pool of worker threads (created once, never per call).
//
// run(fn) calls fn(thread_index, n_threads) once on every thread, the caller being thread 0, and
// returns when all have finished. Workers spin briefly before sleeping, so back-to-back run()
// calls (one per matmul during decode) do not pay a futex wake-up each time.
// One run() at a time per pool (calls from several threads are serialised).
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <exception>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

namespace pyllm {

class ThreadPool {
public:
    // n_threads >= 1 (including the calling thread).
    explicit ThreadPool(int n_threads);
    ~ThreadPool();
    ThreadPool(const ThreadPool&) = delete;
    ThreadPool& operator=(const ThreadPool&) = delete;

    int size() const { return n_threads_; }

    // Run fn(i, n) for i in [0, n) concurrently; rethrows the first exception thrown by any fn.
    void run(const std::function<void(int, int)>& fn);

    // Split [0, n) into size() contiguous chunks aligned to `grain`; chunk i -> [begin, end).
    static void chunk(int64_t n, int i, int n_threads, int64_t grain, int64_t* begin, int64_t* end);

private:
    void worker(int index);

    int n_threads_;
    std::vector<std::thread> threads_;
    std::mutex run_mutex_;  // serialises run()
    std::mutex mutex_;
    std::condition_variable cv_;
    const std::function<void(int, int)>* job_ = nullptr;
    std::atomic<uint64_t> generation_{0};
    std::atomic<int> pending_{0};
    std::atomic<bool> stop_{false};
    std::exception_ptr error_;
    std::mutex error_mutex_;
};

}  // namespace pyllm
