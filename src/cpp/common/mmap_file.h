// mmap_file.h — a read-only memory map of a whole file (zero-copy weights).
// The mapping lives as long as the MappedFile; share it with std::shared_ptr so numpy views
// and model weights can outlive the object that opened the file.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

namespace pyllm {

class MappedFile {
public:
    // Throws IOError if the file cannot be opened or mapped.
    explicit MappedFile(const std::string& path);
    ~MappedFile();
    MappedFile(const MappedFile&) = delete;
    MappedFile& operator=(const MappedFile&) = delete;

    const uint8_t* data() const { return data_; }
    uint64_t size() const { return size_; }
    const std::string& path() const { return path_; }

    // Hint the kernel to read ahead [offset, offset+len) (best effort; no-op where unsupported).
    void prefetch(uint64_t offset, uint64_t len) const;
    // Drop this process's resident pages of the whole pages inside [offset, offset+len) (best effort).
    // The data stays readable: a later read faults the pages back in from the file.
    void release(uint64_t offset, uint64_t len) const;

private:
    std::string path_;
    const uint8_t* data_ = nullptr;
    uint64_t size_ = 0;
    bool mapped_ = false;  // false: data_ is a heap copy (platforms without mmap) or empty file
};

}  // namespace pyllm
