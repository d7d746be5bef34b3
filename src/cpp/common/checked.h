// checked.h — overflow-safe arithmetic for sizes read from untrusted files.
#pragma once

#include <cstdint>
#include <limits>

namespace pyllm {

// a + b into *out; false on overflow.
inline bool checked_add(uint64_t a, uint64_t b, uint64_t* out) {
    if (a > std::numeric_limits<uint64_t>::max() - b) return false;
    *out = a + b;
    return true;
}

// a * b into *out; false on overflow.
inline bool checked_mul(uint64_t a, uint64_t b, uint64_t* out) {
    if (a != 0 && b > std::numeric_limits<uint64_t>::max() / a) return false;
    *out = a * b;
    return true;
}

// Round x up to a multiple of align (a power of two); false on overflow.
inline bool checked_align(uint64_t x, uint64_t align, uint64_t* out) {
    uint64_t t;
    if (!checked_add(x, align - 1, &t)) return false;
    *out = t & ~(align - 1);
    return true;
}

}  // namespace pyllm
