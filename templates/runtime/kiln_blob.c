/* kiln_blob.c — reads and checks a Kiln weights file ("blob"), and the error state.
 *
 * Pasted into the generated model.c before kiln_model.c. A weights file holds the prepared
 * float buffer (BatchNorm folded, convolution weights packed) that the generated code reads,
 * so a C program needs no Swift to load it. Format version 1, all integers little-endian:
 *
 *   offset  size  field
 *        0     8  magic "KILNWGT\0"
 *        8     4  version (1)
 *       12     4  header bytes (64)
 *       16     8  fingerprint: FNV-1a-64 of the tensor table and names below; the code
 *                 generator compiles in the value it expects (KILN_WEIGHTS_FINGERPRINT)
 *       24     8  checksum of bytes [64, file bytes) (kiln_checksum below)
 *       32     8  file bytes
 *       40     8  data offset (a multiple of 64)
 *       48     8  data floats
 *       56     4  tensor count
 *       60     4  reserved (0)
 *       64        tensor table, 64 bytes per tensor: u64 offset (floats from the data start),
 *                 u64 floats, u32 name offset, u32 name bytes (into the names), u32 rank,
 *                 u32 reserved, u32 dims[8]
 *                 names: UTF-8, not terminated, then zeros up to the data offset
 *   data offset   float32 data, every tensor 64-byte aligned
 *
 * The table is informational (tools can list tensors); the generated code addresses the
 * data by the offsets it was generated with, which the fingerprint ties to this file.
 * Every check fails with a status and a one-sentence reason in kiln_last_error().
 * KILN_NO_MMAP forces reading the file into memory instead of mapping it.
 */
#ifndef KILN_BLOB_C
#define KILN_BLOB_C

#ifndef KILN_H
#include "kiln.h"
#endif
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#if (defined(__unix__) || defined(__APPLE__)) && !defined(KILN_NO_MMAP)
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#define KILN_HAVE_MMAP 1
#else
#define KILN_HAVE_MMAP 0
#endif

#ifndef KILN_WEIGHT_FLOATS
#define KILN_WEIGHT_FLOATS 16
#endif
#ifndef KILN_WEIGHTS_FINGERPRINT
#define KILN_WEIGHTS_FINGERPRINT 0x0ULL
#endif
#define KILN_BLOB_VERSION 1u
#define KILN_BLOB_HEADER 64u

static _Thread_local char kiln_error_text[320];

/* Records the reason for a failure and returns its status. */
static kiln_status kiln_fail(kiln_status status, const char* format, ...) __attribute__((format(printf, 2, 3)));
static kiln_status kiln_fail(kiln_status status, const char* format, ...) {
    va_list args;
    va_start(args, format);
    vsnprintf(kiln_error_text, sizeof kiln_error_text, format, args);
    va_end(args);
    return status;
}

static void kiln_clear_error(void) { kiln_error_text[0] = '\0'; }

static uint64_t kiln_u64(const unsigned char* p) {
    uint64_t v = 0;
    for (int i = 7; i >= 0; i--) v = v << 8 | p[i];
    return v;
}
static uint32_t kiln_u32(const unsigned char* p) {
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

/* SplitMix64's finaliser: every input bit affects every output bit. */
static uint64_t kiln_mix64(uint64_t z) {
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
}

/* The blob checksum: `bytes` (a multiple of 8) read as little-endian 64-bit words, word i
 * into lane i % 4 as lane = rotl(lane ^ word, 31) * 0x9FB21C651E98DF25, lanes starting at
 * 0x9E3779B97F4A7C15 * (lane + 1); then h = bytes, h = mix64(h ^ lane) for each lane in
 * order. Four lanes keep the multiplies independent (several GB/s); it detects damage, not
 * tampering. WeightsBlob.swift computes the same. */
static uint64_t kiln_checksum(const unsigned char* p, size_t bytes) {
    uint64_t lane[4];
    for (int j = 0; j < 4; j++) lane[j] = 0x9E3779B97F4A7C15ULL * (uint64_t)(j + 1);
    const size_t words = bytes / 8;
    for (size_t i = 0; i < words; i++) {
        uint64_t w;
        memcpy(&w, p + i * 8, 8); /* the host is little-endian (checked before) */
        uint64_t x = lane[i & 3] ^ w;
        lane[i & 3] = (x << 31 | x >> 33) * 0x9FB21C651E98DF25ULL;
    }
    uint64_t h = (uint64_t)bytes;
    for (int j = 0; j < 4; j++) h = kiln_mix64(h ^ lane[j]);
    return h;
}

/* Checks a whole weights file in memory; on success *data points at its float data. */
static kiln_status kiln_blob_check(const unsigned char* p, size_t bytes, const char* what, const float** data) {
    const uint32_t one = 1;
    unsigned char first;
    memcpy(&first, &one, 1);
    if (first != 1) return kiln_fail(KILN_ERR_FORMAT, "Kiln weights files are little-endian and this host is not");
    if (bytes < KILN_BLOB_HEADER || memcmp(p, "KILNWGT\0", 8) != 0)
        return kiln_fail(KILN_ERR_FORMAT, "%s is not a Kiln weights file (no KILNWGT header)", what);
    const uint32_t version = kiln_u32(p + 8);
    if (version != KILN_BLOB_VERSION)
        return kiln_fail(KILN_ERR_VERSION, "%s has weights format version %u, but this library reads version %u",
                         what, version, KILN_BLOB_VERSION);
    const uint64_t fingerprint = kiln_u64(p + 16), floats = kiln_u64(p + 48);
    if (kiln_u32(p + 12) != KILN_BLOB_HEADER)
        return kiln_fail(KILN_ERR_FORMAT, "%s has a header of %u bytes, expected %u", what, kiln_u32(p + 12), KILN_BLOB_HEADER);
    if (fingerprint != (uint64_t)KILN_WEIGHTS_FINGERPRINT || floats != (uint64_t)KILN_WEIGHT_FLOATS)
        return kiln_fail(KILN_ERR_MODEL,
                         "%s holds weights for another model or compile (fingerprint %016llx, %llu floats; "
                         "this library expects %016llx, %llu floats): emit code and weights together",
                         what, (unsigned long long)fingerprint, (unsigned long long)floats,
                         (unsigned long long)KILN_WEIGHTS_FINGERPRINT, (unsigned long long)KILN_WEIGHT_FLOATS);
    const uint64_t total = kiln_u64(p + 32), offset = kiln_u64(p + 40), count = kiln_u32(p + 56);
    if (total != (uint64_t)bytes)
        return kiln_fail(KILN_ERR_SIZE, "%s is %llu bytes, but its header says %llu (truncated or appended to)",
                         what, (unsigned long long)bytes, (unsigned long long)total);
    if (offset % 64 != 0 || offset < KILN_BLOB_HEADER + 64 * count || offset > total ||
        (total - offset) / 4 != floats || (total - offset) % 4 != 0 || (total - KILN_BLOB_HEADER) % 8 != 0)
        return kiln_fail(KILN_ERR_FORMAT, "%s has an inconsistent header (data offset %llu, %llu floats, %llu bytes)",
                         what, (unsigned long long)offset, (unsigned long long)floats, (unsigned long long)total);
    const uint64_t stored = kiln_u64(p + 24), computed = kiln_checksum(p + KILN_BLOB_HEADER, bytes - KILN_BLOB_HEADER);
    if (stored != computed)
        return kiln_fail(KILN_ERR_CHECKSUM, "%s is damaged: checksum %016llx, expected %016llx",
                         what, (unsigned long long)computed, (unsigned long long)stored);
    *data = (const float*)(const void*)(p + offset);
    return KILN_OK;
}

/* A weights file in memory: mapped (unmap on release) or read into `owned` (free it). */
typedef struct kiln_blob_file {
    void* mapping;
    size_t mapping_bytes;
    unsigned char* owned;
    size_t bytes;
} kiln_blob_file;

static void kiln_blob_release(kiln_blob_file* f) {
#if KILN_HAVE_MMAP
    if (f->mapping) munmap(f->mapping, f->mapping_bytes);
#endif
    free(f->owned);
    f->mapping = NULL;
    f->owned = NULL;
}

static const unsigned char* kiln_blob_bytes(const kiln_blob_file* f) {
    return f->mapping ? (const unsigned char*)f->mapping : f->owned;
}

/* Reads the file with stdio into a 64-byte aligned buffer (no mmap, or mmap failed). */
static kiln_status kiln_blob_read(const char* path, kiln_blob_file* f) {
    FILE* file = fopen(path, "rb");
    if (!file) return kiln_fail(KILN_ERR_IO, "cannot open weights file '%s': %s", path, strerror(errno));
    long size = -1;
    if (fseek(file, 0, SEEK_END) == 0) size = ftell(file);
    if (size < 0 || fseek(file, 0, SEEK_SET) != 0) {
        fclose(file);
        return kiln_fail(KILN_ERR_IO, "cannot read the size of weights file '%s'", path);
    }
    f->bytes = (size_t)size;
    f->owned = aligned_alloc(64, (f->bytes + 63) / 64 * 64 + 64);
    if (!f->owned) {
        fclose(file);
        return kiln_fail(KILN_ERR_NOMEM, "cannot allocate %zu bytes for weights file '%s'", f->bytes, path);
    }
    const size_t got = fread(f->owned, 1, f->bytes, file);
    fclose(file);
    if (got != f->bytes) {
        kiln_blob_release(f);
        return kiln_fail(KILN_ERR_IO, "cannot read weights file '%s' (%zu of %zu bytes)", path, got, f->bytes);
    }
    return KILN_OK;
}

/* Maps (or reads) a weights file; does not check its contents. */
static kiln_status kiln_blob_load(const char* path, kiln_blob_file* f) {
    memset(f, 0, sizeof *f);
#if KILN_HAVE_MMAP
#ifdef O_CLOEXEC
    const int fd = open(path, O_RDONLY | O_CLOEXEC);
#else
    const int fd = open(path, O_RDONLY);
#endif
    if (fd < 0) return kiln_fail(KILN_ERR_IO, "cannot open weights file '%s': %s", path, strerror(errno));
    struct stat st;
    if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && st.st_size > 0) {
        void* m = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
        if (m != MAP_FAILED) {
            close(fd);
            f->mapping = m;
            f->mapping_bytes = f->bytes = (size_t)st.st_size;
            return KILN_OK;
        }
    }
    close(fd); /* empty, not a regular file, or not mappable: read it */
#endif
    return kiln_blob_read(path, f);
}

#endif /* KILN_BLOB_C */
