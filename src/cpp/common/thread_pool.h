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

    // fn(begin, end) over [0, n) in chunks of `grain` elements (the last one shorter), claimed
    // dynamically: a thread that finishes a chunk takes the next, so a thread the OS delays or given
    // slower work does not hold the others up. One thread or n <= grain: fn(0, n) on the caller.
    // Callers whose results depend only on the element (a row of a matmul), not on the chunking,
    // stay deterministic.
    template <class F>
    void for_chunks(int64_t n, int64_t grain, const F& fn);

    // fn(begin, end) over [0, n), claimed dynamically largest first ("guided"): a claim takes about
    // 1 / (2 · size()) of what is left, rounded up to a multiple of `align` and at least `min_chunk`
    // elements (the last one may be shorter). The threads make few claims while much is left and the
    // last chunks are small, so they finish close together: a one-token matvec is split over ~10
    // claims instead of 16 equal ones, with at most `min_chunk` rows left for the last thread.
    // Chunk boundaries depend on timing; callers whose results depend only on the element stay
    // deterministic. One thread or n <= min_chunk: fn(0, n) on the caller.
    template <class F>
    void for_guided(int64_t n, int64_t align, int64_t min_chunk, const F& fn);

    // A chunk size for for_chunks: about `per_thread` chunks per thread, a multiple of `align`.
    int64_t grain_for(int64_t n, int64_t align, int per_thread = 8) const {
        int64_t g = (n + (int64_t)n_threads_ * per_thread - 1) / ((int64_t)n_threads_ * per_thread);
        g = (g + align - 1) / align * align;
        return g < align ? align : g;
    }

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

template <class F>
void ThreadPool::for_chunks(int64_t n, int64_t grain, const F& fn) {
    if (n <= 0) return;
    if (n_threads_ == 1 || n <= grain) {
        fn((int64_t)0, n);
        return;
    }
    struct Job {
        const F* fn;
        int64_t n, grain;
        std::atomic<int64_t> next{0};
    };
    Job job{&fn, n, grain};
    Job* jp = &job;  // the std::function below holds one pointer: stored inline, no allocation
    run([jp](int, int) {
        for (;;) {
            const int64_t b = jp->next.fetch_add(jp->grain, std::memory_order_relaxed);
            if (b >= jp->n) return;
            (*jp->fn)(b, b + jp->grain < jp->n ? b + jp->grain : jp->n);
        }
    });
}

template <class F>
void ThreadPool::for_guided(int64_t n, int64_t align, int64_t min_chunk, const F& fn) {
    if (n <= 0) return;
    if (align < 1) align = 1;
    min_chunk = (min_chunk + align - 1) / align * align;
    if (min_chunk < align) min_chunk = align;
    if (n_threads_ == 1 || n <= min_chunk) {
        fn((int64_t)0, n);
        return;
    }
    struct Job {
        const F* fn;
        int64_t n, align, min_chunk, div;
        std::atomic<int64_t> next{0};
    };
    Job job{&fn, n, align, min_chunk, 2 * (int64_t)n_threads_};
    Job* jp = &job;  // one pointer: stored inline in the std::function, no allocation
    run([jp](int, int) {
        int64_t b = jp->next.load(std::memory_order_relaxed);
        while (b < jp->n) {
            int64_t c = (jp->n - b) / jp->div;
            c = (c + jp->align - 1) / jp->align * jp->align;
            if (c < jp->min_chunk) c = jp->min_chunk;
            const int64_t e = b + c < jp->n ? b + c : jp->n;
            if (jp->next.compare_exchange_weak(b, e, std::memory_order_relaxed)) {
                (*jp->fn)(b, e);
                b = jp->next.load(std::memory_order_relaxed);
            }  // else b holds the current value: try again from there
        }
    });
}

}  // namespace pyllm
