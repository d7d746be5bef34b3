// big_buffer.h — a large zero-filled, 64-byte aligned, owned byte buffer (repacked weights, the KV
// cache). POSIX: an anonymous mapping, pages committed on first touch, transparent huge pages
// requested unless huge = false (fewer TLB misses when kernels stream hundreds of MB); elsewhere:
// operator new, zero-filled. Move-only.
#pragma once

#include <cstddef>
#include <cstdint>

namespace pyllm {

class BigBuffer {
public:
    BigBuffer() = default;
    // Throws std::bad_alloc if the memory cannot be had. huge: ask for transparent huge pages
    // (then the first touch of any byte commits its 2 MB page).
    explicit BigBuffer(size_t n, bool huge = true);
    ~BigBuffer();
    BigBuffer(BigBuffer&& o) noexcept : data_(o.data_), size_(o.size_), mapped_(o.mapped_) { o.data_ = nullptr; o.size_ = 0; }
    BigBuffer& operator=(BigBuffer&& o) noexcept;
    BigBuffer(const BigBuffer&) = delete;
    BigBuffer& operator=(const BigBuffer&) = delete;

    uint8_t* data() const { return data_; }
    size_t size() const { return size_; }

private:
    void free();
    uint8_t* data_ = nullptr;
    size_t size_ = 0;
    bool mapped_ = false;
};

}  // namespace pyllm
