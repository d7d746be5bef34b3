// gguf_reader.h — a validated, zero-copy view of a GGUF file (versions 2 and 3).
//
// Layout of a GGUF file (little-endian):
//   magic "GGUF" | u32 version | u64 n_tensors | u64 n_kv
//   n_kv × { string key | u32 value_type | value }            string = u64 len + bytes
//   n_tensors × { string name | u32 n_dims | n_dims × u64 ne | u32 ggml_type | u64 offset }
//   padding to general.alignment (default 32) | data section (tensor offsets are relative to it)
//
// Every count, length and offset is checked against the file size with overflow-safe arithmetic
// before use; a bad file throws FormatError naming the key / tensor / byte offset at fault.
// Nothing is allocated in proportion to a count field before the bytes backing it are known to exist.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "common/mmap_file.h"
#include "gguf/gguf_types.h"

namespace pyllm::gguf {

constexpr uint32_t kDefaultAlignment = 32;
constexpr uint32_t kMaxDims = 4;           // GGML_MAX_DIMS
constexpr uint32_t kMaxArrayNesting = 16;  // arrays of arrays deeper than this are rejected

// One metadata value. Strings and packed numeric arrays point into the mapping (zero-copy).
struct Value {
    ValueType type = ValueType::UINT8;
    union {
        uint64_t u;  // UINT8/16/32/64, BOOL
        int64_t i;   // INT8/16/32/64
        double f;    // FLOAT32/64
    } num{};
    std::string_view str;  // STRING

    // ARRAY only:
    ValueType elem_type = ValueType::UINT8;
    uint64_t count = 0;
    const uint8_t* raw = nullptr;        // fixed-size elements: count × value_type_size(elem_type) bytes
    std::vector<std::string_view> strs;  // STRING elements
    std::vector<Value> items;            // ARRAY elements (nested arrays)

    // Element i of a packed numeric array, converted (caller checks elem_type / bounds).
    uint64_t array_u64(uint64_t i) const;
    int64_t array_i64(uint64_t i) const;
    double array_f64(uint64_t i) const;
};

struct KeyValue {
    std::string key;
    Value value;
};

struct TensorInfo {
    std::string name;
    TensorType type;
    std::vector<uint64_t> ne;  // GGUF order: ne[0] is the fastest-varying (row length)
    uint64_t offset;           // relative to the data section
    uint64_t n_elements;
    uint64_t nbytes;
    uint64_t rows() const { return ne.empty() || ne[0] == 0 ? 0 : n_elements / ne[0]; }
};

class File {
public:
    // Map and parse `path`. Throws IOError (cannot open) or FormatError / UnsupportedError.
    static std::shared_ptr<File> open(const std::string& path);
    // Parse an existing mapping.
    explicit File(std::shared_ptr<MappedFile> map);

    const std::string& path() const { return map_->path(); }
    uint32_t version() const { return version_; }
    uint64_t file_size() const { return map_->size(); }
    uint32_t alignment() const { return alignment_; }
    uint64_t data_offset() const { return data_offset_; }  // absolute offset of the data section

    const std::vector<KeyValue>& kvs() const { return kvs_; }
    const Value* find(std::string_view key) const;  // nullptr if absent

    const std::vector<TensorInfo>& tensors() const { return tensors_; }
    const TensorInfo* find_tensor(std::string_view name) const;  // nullptr if absent
    const uint8_t* tensor_data(const TensorInfo& t) const { return map_->data() + data_offset_ + t.offset; }

    const std::shared_ptr<MappedFile>& mapping() const { return map_; }

private:
    void parse();
    std::shared_ptr<MappedFile> map_;
    uint32_t version_ = 0;
    uint32_t alignment_ = kDefaultAlignment;
    uint64_t data_offset_ = 0;
    std::vector<KeyValue> kvs_;
    std::unordered_map<std::string_view, size_t> kv_index_;  // views into kvs_[i].key
    std::vector<TensorInfo> tensors_;
    std::unordered_map<std::string_view, size_t> tensor_index_;
};

}  // namespace pyllm::gguf
