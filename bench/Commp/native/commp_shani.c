// Native reference CommP for ./bench.sh commp: SHA-256 with x86 SHA-NI intrinsics, Fr32 padding,
// 8 MiB subtrees merged on a stack, zero-piece padding at the end. Single-threaded.
// Usage: commp_shani FILE   prints: <commp hex> <seconds>
#include <immintrin.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static const uint32_t K[64] = {
  0x428a2f98,0x71374491,0xb5c0fbcf,0xe9b5dba5,0x3956c25b,0x59f111f1,0x923f82a4,0xab1c5ed5,0xd807aa98,0x12835b01,0x243185be,0x550c7dc3,
  0x72be5d74,0x80deb1fe,0x9bdc06a7,0xc19bf174,0xe49b69c1,0xefbe4786,0x0fc19dc6,0x240ca1cc,0x2de92c6f,0x4a7484aa,0x5cb0a9dc,0x76f988da,
  0x983e5152,0xa831c66d,0xb00327c8,0xbf597fc7,0xc6e00bf3,0xd5a79147,0x06ca6351,0x14292967,0x27b70a85,0x2e1b2138,0x4d2c6dfc,0x53380d13,
  0x650a7354,0x766a0abb,0x81c2c92e,0x92722c85,0xa2bfe8a1,0xa81a664b,0xc24b8b70,0xc76c51a3,0xd192e819,0xd6990624,0xf40e3585,0x106aa070,
  0x19a4c116,0x1e376c08,0x2748774c,0x34b0bcb5,0x391c0cb3,0x4ed8aa4a,0x5b9cca4f,0x682e6ff3,0x748f82ee,0x78a5636f,0x84c87814,0x8cc70208,
  0x90befffa,0xa4506ceb,0xbef9a3f7,0xc67178f2};

// One compression. state is in SHA-NI order: s0 = ABEF, s1 = CDGH.
static void compress(__m128i *s0, __m128i *s1, const uint8_t *block) {
  const __m128i mask = _mm_set_epi64x(0x0c0d0e0f08090a0bULL, 0x0405060700010203ULL);
  __m128i abef = *s0, cdgh = *s1, w[4];
  for (int i = 0; i < 16; i++) {
    if (i < 4) {
      w[i] = _mm_shuffle_epi8(_mm_loadu_si128((const __m128i *)(block + 16 * i)), mask);
    } else {
      __m128i x = _mm_sha256msg1_epu32(w[i & 3], w[(i + 1) & 3]);
      x = _mm_add_epi32(x, _mm_alignr_epi8(w[(i + 3) & 3], w[(i + 2) & 3], 4));
      w[i & 3] = _mm_sha256msg2_epu32(x, w[(i + 3) & 3]);
    }
    __m128i m = _mm_add_epi32(w[i & 3], _mm_loadu_si128((const __m128i *)&K[4 * i]));
    cdgh = _mm_sha256rnds2_epu32(cdgh, abef, m);
    abef = _mm_sha256rnds2_epu32(abef, cdgh, _mm_shuffle_epi32(m, 0x0E));
  }
  *s0 = _mm_add_epi32(*s0, abef);
  *s1 = _mm_add_epi32(*s1, cdgh);
}

static __m128i IV0, IV1;
static uint8_t PAD[64];

// SHA-256 of 64 bytes, top two bits of the last byte cleared.
static void hash_pair(const uint8_t *in, uint8_t *out) {
  __m128i s0 = IV0, s1 = IV1;
  compress(&s0, &s1, in);
  compress(&s0, &s1, PAD);
  __m128i feba = _mm_shuffle_epi32(s0, 0x1B), dchg = _mm_shuffle_epi32(s1, 0xB1);
  __m128i dcba = _mm_blend_epi16(feba, dchg, 0xF0), hgfe = _mm_alignr_epi8(dchg, feba, 8);
  const __m128i bswap = _mm_set_epi64x(0x0c0d0e0f08090a0bULL, 0x0405060700010203ULL);
  _mm_storeu_si128((__m128i *)out, _mm_shuffle_epi8(dcba, bswap));
  _mm_storeu_si128((__m128i *)(out + 16), _mm_shuffle_epi8(hgfe, bswap));
  out[31] &= 0x3F;
}

static void fr32(const uint8_t *in, uint8_t *out) {   // 127 bytes -> 128 bytes
  for (int q = 0; q < 4; q++) {
    int bit = q * 254, start = bit >> 3, shift = bit & 7;
    for (int i = 0; i < 32; i++) {
      int lo = in[start + i] >> shift;
      int hi = (shift && start + i + 1 < 127) ? in[start + i + 1] << (8 - shift) : 0;
      out[32 * q + i] = (uint8_t)(lo | hi);
    }
    out[32 * q + 31] &= 0x3F;
  }
}

int main(int argc, char **argv) {
  if (argc != 2) { fprintf(stderr, "usage: commp_shani FILE\n"); return 2; }
  uint32_t iv[8] = {0x6a09e667,0xbb67ae85,0x3c6ef372,0xa54ff53a,0x510e527f,0x9b05688c,0x1f83d9ab,0x5be0cd19};
  __m128i t = _mm_shuffle_epi32(_mm_loadu_si128((__m128i *)&iv[0]), 0xB1), s1 = _mm_shuffle_epi32(_mm_loadu_si128((__m128i *)&iv[4]), 0x1B);
  IV0 = _mm_alignr_epi8(t, s1, 8); IV1 = _mm_blend_epi16(s1, t, 0xF0);
  PAD[0] = 0x80; PAD[62] = 0x02;                       // bit length 512
  uint8_t zero[40][32]; memset(zero, 0, sizeof zero);
  for (int l = 1; l < 40; l++) { uint8_t both[64]; memcpy(both, zero[l - 1], 32); memcpy(both + 32, zero[l - 1], 32); hash_pair(both, zero[l]); }

  FILE *f = fopen(argv[1], "rb"); if (!f) { perror(argv[1]); return 1; }
  const size_t chunk = 127u << 16;
  uint8_t *raw = malloc(chunk), *tree = malloc(8u << 20);
  uint8_t stack[40][32]; int levels[40], depth = 0; long long total = 0;
  struct timespec a, b; clock_gettime(CLOCK_MONOTONIC, &a);
  for (;;) {
    size_t n = fread(raw, 1, chunk, f);
    if (n == 0 && total > 0) break;
    total += n;
    size_t padded = 128; while (padded - padded / 128 < (n ? n : 1)) padded *= 2;   // subtree of this chunk
    size_t unpadded = padded - padded / 128;
    memset(raw + n, 0, unpadded - n);
    for (size_t i = 0; i < unpadded / 127; i++) fr32(raw + 127 * i, tree + 128 * i);
    for (size_t w = padded; w > 32; w /= 2) for (size_t i = 0; i < w / 64; i++) hash_pair(tree + 64 * i, tree + 32 * i);
    int level = 0; while ((32u << level) < padded) level++;
    uint8_t root[32]; memcpy(root, tree, 32);
    while (depth > 0 && levels[depth - 1] == level) { uint8_t both[64]; memcpy(both, stack[--depth], 32); memcpy(both + 32, root, 32); hash_pair(both, root); level++; }
    memcpy(stack[depth], root, 32); levels[depth++] = level;
    if (n < chunk) break;
  }
  long long piece = 128; while (piece - piece / 128 < total) piece *= 2;
  int height = 0; while ((32LL << height) < piece) height++;
  while (depth > 1 || levels[depth - 1] < height) {
    int level = levels[--depth]; uint8_t both[64], root[32];
    memcpy(both, stack[depth], 32); memcpy(both + 32, zero[level], 32); hash_pair(both, root); level++;
    while (depth > 0 && levels[depth - 1] == level) { memcpy(both, stack[--depth], 32); memcpy(both + 32, root, 32); hash_pair(both, root); level++; }
    memcpy(stack[depth], root, 32); levels[depth++] = level;
  }
  clock_gettime(CLOCK_MONOTONIC, &b);
  for (int i = 0; i < 32; i++) printf("%02x", stack[0][i]);
  printf(" %.6f\n", (b.tv_sec - a.tv_sec) + (b.tv_nsec - a.tv_nsec) / 1e9);
  return 0;
}
