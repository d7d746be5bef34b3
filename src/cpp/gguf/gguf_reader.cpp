#include "gguf/gguf_reader.h"

#include <cstring>

#include "common/checked.h"
#include "common/error.h"

namespace pyllm::gguf {

namespace {

// A bounds-checked little-endian reader over [data, data+size). Every read names what it reads.
class Cursor {
public:
    Cursor(const uint8_t* data, uint64_t size, const std::string& path)
        : data_(data), size_(size), path_(path) {}

    uint64_t pos() const { return pos_; }
    uint64_t remaining() const { return size_ - pos_; }

    [[noreturn]] void fail(const std::string& what) const {
        throw FormatError(str("GGUF file '", path_, "': ", what, " (at byte offset ", pos_, ")"));
    }

    void need(uint64_t n, const char* what, const std::string& ctx) const {
        if (n > remaining())
            fail(str("truncated while reading ", what, ctx.empty() ? "" : " of ", ctx, ": need ", n,
                     " bytes, ", remaining(), " left"));
    }

    template <typename T>
    T read(const char* what, const std::string& ctx) {
        need(sizeof(T), what, ctx);
        T v;
        std::memcpy(&v, data_ + pos_, sizeof(T));
        pos_ += sizeof(T);
        return v;
    }

    std::string_view string(const char* what, const std::string& ctx) {
        uint64_t len = read<uint64_t>(what, ctx);
        if (len > remaining())
            fail(str(what, ctx.empty() ? "" : " of ", ctx, " claims length ", len, " but only ",
                     remaining(), " bytes remain in the file"));
        std::string_view s(reinterpret_cast<const char*>(data_ + pos_), (size_t)len);
        pos_ += len;
        return s;
    }

    const uint8_t* skip(uint64_t n, const char* what, const std::string& ctx) {
        need(n, what, ctx);
        const uint8_t* p = data_ + pos_;
        pos_ += n;
        return p;
    }

private:
    const uint8_t* data_;
    uint64_t size_;
    uint64_t pos_ = 0;
    const std::string& path_;
};

// Minimum bytes one value of type t occupies in the file (used to reject absurd counts early).
uint64_t min_encoded_size(ValueType t) {
    if (t == ValueType::STRING) return 8;        // u64 length
    if (t == ValueType::ARRAY) return 4 + 8;     // u32 type + u64 count
    return value_type_size(t);
}

ValueType read_value_type(Cursor& c, const std::string& ctx) {
    uint32_t t = c.read<uint32_t>("value type", ctx);
    if (t >= kValueTypeCount) c.fail(str("unknown value type ", t, " for ", ctx));
    return static_cast<ValueType>(t);
}

void read_value(Cursor& c, ValueType type, Value& v, const std::string& ctx, uint32_t depth) {
    v.type = type;
    switch (type) {
        case ValueType::UINT8: v.num.u = c.read<uint8_t>("value", ctx); break;
        case ValueType::INT8: v.num.i = c.read<int8_t>("value", ctx); break;
        case ValueType::UINT16: v.num.u = c.read<uint16_t>("value", ctx); break;
        case ValueType::INT16: v.num.i = c.read<int16_t>("value", ctx); break;
        case ValueType::UINT32: v.num.u = c.read<uint32_t>("value", ctx); break;
        case ValueType::INT32: v.num.i = c.read<int32_t>("value", ctx); break;
        case ValueType::UINT64: v.num.u = c.read<uint64_t>("value", ctx); break;
        case ValueType::INT64: v.num.i = c.read<int64_t>("value", ctx); break;
        case ValueType::FLOAT32: v.num.f = c.read<float>("value", ctx); break;
        case ValueType::FLOAT64: v.num.f = c.read<double>("value", ctx); break;
        case ValueType::BOOL: {
            uint8_t b = c.read<uint8_t>("value", ctx);
            if (b > 1) c.fail(str("boolean ", ctx, " has invalid byte ", (int)b));
            v.num.u = b;
            break;
        }
        case ValueType::STRING: v.str = c.string("string value", ctx); break;
        case ValueType::ARRAY: {
            if (depth >= kMaxArrayNesting)
                c.fail(str("array ", ctx, " is nested more than ", kMaxArrayNesting, " levels deep"));
            v.elem_type = read_value_type(c, ctx);
            v.count = c.read<uint64_t>("array length", ctx);
            uint64_t min_bytes;
            if (!checked_mul(v.count, min_encoded_size(v.elem_type), &min_bytes) || min_bytes > c.remaining())
                c.fail(str("array ", ctx, " claims ", v.count, " elements of type ",
                           value_type_name(v.elem_type), ", more than the ", c.remaining(),
                           " bytes left in the file can hold"));
            if (v.elem_type == ValueType::STRING) {
                v.strs.reserve((size_t)v.count);
                for (uint64_t i = 0; i < v.count; ++i) v.strs.push_back(c.string("string element", ctx));
            } else if (v.elem_type == ValueType::ARRAY) {
                v.items.resize((size_t)v.count);
                for (uint64_t i = 0; i < v.count; ++i)
                    read_value(c, ValueType::ARRAY, v.items[i], str(ctx, "[", i, "]"), depth + 1);
            } else {
                if (v.elem_type == ValueType::BOOL) {
                    const uint8_t* p = c.skip(v.count, "array data", ctx);
                    for (uint64_t i = 0; i < v.count; ++i)
                        if (p[i] > 1) c.fail(str("boolean array ", ctx, "[", i, "] has invalid byte ", (int)p[i]));
                    v.raw = p;
                } else {
                    v.raw = c.skip(min_bytes, "array data", ctx);
                }
            }
            break;
        }
    }
}

}  // namespace

uint64_t Value::array_u64(uint64_t i) const {
    const uint8_t* p = raw + i * value_type_size(elem_type);
    switch (elem_type) {
        case ValueType::UINT8: case ValueType::BOOL: return *p;
        case ValueType::UINT16: { uint16_t x; std::memcpy(&x, p, 2); return x; }
        case ValueType::UINT32: { uint32_t x; std::memcpy(&x, p, 4); return x; }
        case ValueType::UINT64: { uint64_t x; std::memcpy(&x, p, 8); return x; }
        default: return (uint64_t)array_i64(i);
    }
}

int64_t Value::array_i64(uint64_t i) const {
    const uint8_t* p = raw + i * value_type_size(elem_type);
    switch (elem_type) {
        case ValueType::INT8: { int8_t x; std::memcpy(&x, p, 1); return x; }
        case ValueType::INT16: { int16_t x; std::memcpy(&x, p, 2); return x; }
        case ValueType::INT32: { int32_t x; std::memcpy(&x, p, 4); return x; }
        case ValueType::INT64: { int64_t x; std::memcpy(&x, p, 8); return x; }
        case ValueType::FLOAT32: case ValueType::FLOAT64: return (int64_t)array_f64(i);
        default: return (int64_t)array_u64(i);
    }
}

double Value::array_f64(uint64_t i) const {
    const uint8_t* p = raw + i * value_type_size(elem_type);
    switch (elem_type) {
        case ValueType::FLOAT32: { float x; std::memcpy(&x, p, 4); return x; }
        case ValueType::FLOAT64: { double x; std::memcpy(&x, p, 8); return x; }
        case ValueType::INT8: case ValueType::INT16: case ValueType::INT32: case ValueType::INT64:
            return (double)array_i64(i);
        default: return (double)array_u64(i);
    }
}

std::shared_ptr<File> File::open(const std::string& path) {
    return std::make_shared<File>(std::make_shared<MappedFile>(path));
}

File::File(std::shared_ptr<MappedFile> map) : map_(std::move(map)) { parse(); }

const Value* File::find(std::string_view key) const {
    auto it = kv_index_.find(key);
    return it == kv_index_.end() ? nullptr : &kvs_[it->second].value;
}

const TensorInfo* File::find_tensor(std::string_view name) const {
    auto it = tensor_index_.find(name);
    return it == tensor_index_.end() ? nullptr : &tensors_[it->second];
}

void File::parse() {
    const std::string& p = map_->path();
    Cursor c(map_->data(), map_->size(), p);

    if (map_->size() < 4 || std::memcmp(map_->data(), "GGUF", 4) != 0)
        throw FormatError(str("'", p, "' is not a GGUF file (bad magic; expected \"GGUF\")"));
    c.skip(4, "magic", "");
    version_ = c.read<uint32_t>("version", "header");
    if (version_ == 1)
        throw UnsupportedError(str("GGUF file '", p, "' is version 1, which is obsolete; re-convert it (versions 2 and 3 are supported)"));
    if (version_ != 2 && version_ != 3) {
        uint32_t swapped = __builtin_bswap32(version_);
        if (swapped == 2 || swapped == 3)
            throw UnsupportedError(str("GGUF file '", p, "' is big-endian; only little-endian GGUF files are supported"));
        throw FormatError(str("GGUF file '", p, "' has unsupported version ", version_, " (supported: 2, 3)"));
    }
    uint64_t n_tensors = c.read<uint64_t>("tensor count", "header");
    uint64_t n_kv = c.read<uint64_t>("metadata count", "header");

    // Each key-value needs at least 8 (key len) + 4 (type) + 1 bytes; each tensor info at least
    // 8 + 4 + 4 + 8 bytes. Reject counts the file cannot possibly hold before reserving anything.
    uint64_t need;
    if (!checked_mul(n_kv, 13, &need) || need > c.remaining())
        c.fail(str("header claims ", n_kv, " metadata entries; the file is too small to hold them"));
    if (!checked_mul(n_tensors, 24, &need) || need > c.remaining())
        c.fail(str("header claims ", n_tensors, " tensors; the file is too small to hold them"));

    kvs_.resize((size_t)n_kv);
    kv_index_.reserve((size_t)n_kv);
    for (uint64_t i = 0; i < n_kv; ++i) {
        KeyValue& kv = kvs_[i];
        std::string_view key = c.string("key", str("metadata entry #", i));
        kv.key.assign(key.data(), key.size());
        const std::string ctx = str("key '", kv.key, "'");
        ValueType t = read_value_type(c, ctx);
        read_value(c, t, kv.value, ctx, 0);
        if (!kv_index_.emplace(std::string_view(kv.key), (size_t)i).second)
            c.fail(str("duplicate metadata key '", kv.key, "'"));
    }
    // kv_index_ holds views into kvs_[i].key: kvs_ is never resized again, so they stay valid.

    if (const Value* a = find("general.alignment")) {
        if (a->type != ValueType::UINT32)
            throw FormatError(str("GGUF file '", p, "': key 'general.alignment' has type ",
                                  value_type_name(a->type), ", expected UINT32"));
        uint64_t al = a->num.u;
        if (al == 0 || (al & (al - 1)) != 0)
            throw FormatError(str("GGUF file '", p, "': key 'general.alignment' = ", al,
                                  " is not a power of two"));
        alignment_ = (uint32_t)al;
    }

    tensors_.resize((size_t)n_tensors);
    tensor_index_.reserve((size_t)n_tensors);
    for (uint64_t i = 0; i < n_tensors; ++i) {
        TensorInfo& t = tensors_[i];
        std::string_view name = c.string("tensor name", str("tensor #", i));
        t.name.assign(name.data(), name.size());
        const std::string ctx = str("tensor '", t.name, "'");
        uint32_t n_dims = c.read<uint32_t>("dimension count", ctx);
        if (n_dims == 0 || n_dims > kMaxDims)
            c.fail(str(ctx, " has ", n_dims, " dimensions (must be 1..", kMaxDims, ")"));
        t.ne.resize(n_dims);
        t.n_elements = 1;
        for (uint32_t d = 0; d < n_dims; ++d) {
            t.ne[d] = c.read<uint64_t>("dimension", ctx);
            if (t.ne[d] > (uint64_t)INT64_MAX || !checked_mul(t.n_elements, t.ne[d], &t.n_elements) ||
                t.n_elements > (uint64_t)INT64_MAX)
                c.fail(str(ctx, " has dimensions whose element count overflows (dimension ", d, " = ", t.ne[d], ")"));
        }
        uint32_t type_id = c.read<uint32_t>("tensor type", ctx);
        const TypeTraits& tt = type_traits(type_id);
        if (!tt.name) c.fail(str(ctx, " has unknown or removed tensor type id ", type_id));
        t.type = static_cast<TensorType>(type_id);
        if (t.ne[0] % tt.block_size != 0)
            c.fail(str(ctx, " of type ", tt.name, " has row length ", t.ne[0],
                       ", not a multiple of its block size ", tt.block_size));
        if (!checked_mul(t.n_elements / tt.block_size, tt.type_size, &t.nbytes))
            c.fail(str(ctx, " byte size overflows"));
        t.offset = c.read<uint64_t>("data offset", ctx);
        if (t.offset % alignment_ != 0)
            c.fail(str(ctx, " has data offset ", t.offset, ", not a multiple of the alignment ", alignment_));
        if (!tensor_index_.emplace(std::string_view(t.name), (size_t)i).second)
            c.fail(str("duplicate tensor name '", t.name, "'"));
    }

    if (!checked_align(c.pos(), alignment_, &data_offset_))
        c.fail("data section offset overflows");
    if (n_tensors > 0 && data_offset_ > map_->size())
        throw FormatError(str("GGUF file '", p, "' is truncated: the data section would start at byte ",
                              data_offset_, " but the file has ", map_->size(), " bytes"));
    const uint64_t data_size = data_offset_ <= map_->size() ? map_->size() - data_offset_ : 0;
    for (const TensorInfo& t : tensors_) {
        uint64_t end;
        if (!checked_add(t.offset, t.nbytes, &end) || end > data_size)
            throw FormatError(str("GGUF file '", p, "': tensor '", t.name, "' (", type_traits(t.type).name,
                                  ", ", t.nbytes, " bytes at data offset ", t.offset,
                                  ") extends past the end of the file (data section holds ", data_size,
                                  " bytes); the file is truncated or corrupt"));
    }
}

}  // namespace pyllm::gguf
