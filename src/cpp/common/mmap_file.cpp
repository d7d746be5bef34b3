#include "common/mmap_file.h"

#include <cerrno>
#include <cstring>

#include "common/error.h"

#if defined(_WIN32)
#include <cstdio>
#include <vector>
#else
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#endif

namespace pyllm {

#if defined(_WIN32)
MappedFile::MappedFile(const std::string& path) : path_(path) {
    // Portable fallback: read the file into memory.
    FILE* f = std::fopen(path.c_str(), "rb");
    if (!f) throw IOError(str("cannot open '", path, "': ", std::strerror(errno)), errno);
    std::fseek(f, 0, SEEK_END);
    long n = std::ftell(f);
    std::fseek(f, 0, SEEK_SET);
    uint8_t* buf = new uint8_t[n > 0 ? n : 1];
    size_t got = n > 0 ? std::fread(buf, 1, (size_t)n, f) : 0;
    std::fclose(f);
    if ((long)got != n) {
        delete[] buf;
        throw IOError(str("cannot read '", path, "'"), EIO);
    }
    data_ = buf;
    size_ = (uint64_t)n;
}
MappedFile::~MappedFile() { delete[] data_; }
void MappedFile::prefetch(uint64_t, uint64_t) const {}
void MappedFile::release(uint64_t, uint64_t) const {}
#else
MappedFile::MappedFile(const std::string& path) : path_(path) {
    int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        int e = errno;
        throw IOError(str("cannot open '", path, "': ", std::strerror(e)), e);
    }
    struct stat st;
    if (::fstat(fd, &st) != 0) {
        int e = errno;
        ::close(fd);
        throw IOError(str("cannot stat '", path, "': ", std::strerror(e)), e);
    }
    if (S_ISDIR(st.st_mode)) {
        ::close(fd);
        throw IOError(str("'", path, "' is a directory, not a file"), EISDIR);
    }
    size_ = (uint64_t)st.st_size;
    if (size_ > 0) {
        void* p = ::mmap(nullptr, (size_t)size_, PROT_READ, MAP_SHARED, fd, 0);
        if (p == MAP_FAILED) {
            int e = errno;
            ::close(fd);
            throw IOError(str("cannot mmap '", path, "': ", std::strerror(e)), e);
        }
        data_ = static_cast<const uint8_t*>(p);
        mapped_ = true;
    }
    ::close(fd);  // the mapping stays valid after close
}

MappedFile::~MappedFile() {
    if (mapped_) ::munmap(const_cast<uint8_t*>(data_), (size_t)size_);
}

void MappedFile::prefetch(uint64_t offset, uint64_t len) const {
    if (!mapped_ || offset >= size_) return;
    if (len > size_ - offset) len = size_ - offset;
    long page = ::sysconf(_SC_PAGESIZE);
    uint64_t start = offset & ~(uint64_t)(page - 1);
    ::madvise(const_cast<uint8_t*>(data_) + start, (size_t)(len + (offset - start)), MADV_WILLNEED);
}

void MappedFile::release(uint64_t offset, uint64_t len) const {
    if (!mapped_ || offset >= size_) return;
    if (len > size_ - offset) len = size_ - offset;
    const uint64_t page = (uint64_t)::sysconf(_SC_PAGESIZE);
    const uint64_t b = (offset + page - 1) / page * page, e = (offset + len) / page * page;
    if (e > b) ::madvise(const_cast<uint8_t*>(data_) + b, (size_t)(e - b), MADV_DONTNEED);
}
#endif

}  // namespace pyllm
