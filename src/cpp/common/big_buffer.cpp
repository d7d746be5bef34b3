#include "common/big_buffer.h"

#include <new>

#if !defined(_WIN32)
#include <sys/mman.h>
#endif

namespace pyllm {

BigBuffer::BigBuffer(size_t n, bool huge) : size_(n) {
    if (n == 0) return;
#if !defined(_WIN32)
    void* p = ::mmap(nullptr, n, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p != MAP_FAILED) {
#if defined(MADV_HUGEPAGE)
        if (huge) ::madvise(p, n, MADV_HUGEPAGE);
#else
        (void)huge;
#endif
        data_ = static_cast<uint8_t*>(p);
        mapped_ = true;
        return;
    }
#endif
    data_ = static_cast<uint8_t*>(::operator new(n, std::align_val_t(64)));
    for (size_t i = 0; i < n; ++i) data_[i] = 0;
}

void BigBuffer::free() {
    if (!data_) return;
#if !defined(_WIN32)
    if (mapped_) {
        ::munmap(data_, size_);
        data_ = nullptr;
        return;
    }
#endif
    ::operator delete(data_, std::align_val_t(64));
    data_ = nullptr;
}

BigBuffer::~BigBuffer() { free(); }

BigBuffer& BigBuffer::operator=(BigBuffer&& o) noexcept {
    if (this != &o) {
        free();
        data_ = o.data_;
        size_ = o.size_;
        mapped_ = o.mapped_;
        o.data_ = nullptr;
        o.size_ = 0;
    }
    return *this;
}

}  // namespace pyllm
