// The WebAssembly text of xrec's SIMD GEMM for the wasm backend (see src/simd/README in the package README,
// "Wasm SIMD matmul"). `node scripts/build-simd-gemm.mjs` assembles it into src/simd/gemm-wasm.ts.
//
// C (M x N, row-major, row stride ldc) = op(A) op(B), operands given by element strides, so one routine serves
// every transpose case: A(i, k) at a + 4 (i·asi + k·ask), B(k, j) at b + 4 (k·bsk + j·bsj). Blocked as in
// BLIS / Goto: B is packed by KC x NC blocks into panels of NR columns, A by MC x KC blocks into panels of MR
// rows, and an MR x NR register tile (MR·NR/4 f32x4 accumulators) is updated KC times per block. Rows left
// over at the bottom of a block go through a one-row tile; columns past N are zero in the packed panel and
// are not stored. The module imports the memory of tfjs-wasm and works in place on its heap; it has no data
// segment, no globals and no stack, so it never writes outside C and the workspace it is given.

/** Tile and block sizes (floats). MR 5 x NR 8 measured fastest on x86-64 with V8: 10 accumulators + 2 B vectors + 1 broadcast fit the 16 vector registers. */
export const GEMM_SHAPE = Object.freeze({ MR: 5, NV: 2, KC: 256, MC: 120, NC: 1024 });

/** Floats of workspace `sgemm` needs (16-byte aligned). */
export function gemmWorkspaceFloats(shape = GEMM_SHAPE) {
  const NR = 4 * shape.NV;
  return shape.MC * shape.KC + shape.KC * Math.ceil(shape.NC / NR) * NR + shape.MR * NR;
}

const L = (n) => `(local.get $${n})`;
const I = (n) => `(i32.const ${n})`;
const add = (a, b) => `(i32.add ${a} ${b})`;
const sub = (a, b) => `(i32.sub ${a} ${b})`;
const mul = (a, b) => `(i32.mul ${a} ${b})`;
const bytes = (floats) => `(i32.shl ${floats} ${I(2)})`;
const set = (n, v) => `(local.set $${n} ${v})`;
const min = (a, b) => `(select ${a} ${b} (i32.lt_s ${a} ${b}))`;
/** for (v = 0; v < end; v += step) body — `label` must be unique among enclosing loops. */
const forUp = (v, end, step, body, label = v) => `${set(v, I(0))}
    (block $${label}_end (loop $${label}_loop
      (br_if $${label}_end (i32.ge_s ${L(v)} ${end}))
      ${body}
      ${set(v, add(L(v), step))}
      (br $${label}_loop)))`;

function packA({ MR }) {
  const dstAt = (k, r) => add(L('dst'), bytes(add(mul(k, I(MR)), r)));
  return `
  ;; Rows i0 .. i0+mc-1, columns k0 .. k0+kc-1 of A into panels of MR rows: for each k the MR values (0 past mc).
  (func $packA (param $a i32) (param $si i32) (param $sk i32) (param $i0 i32) (param $k0 i32)
               (param $mc i32) (param $kc i32) (param $dst i32)
    (local $p i32) (local $k i32) (local $r i32) (local $row i32) (local $src i32)
    ${forUp('p', L('mc'), I(MR), `
      ${forUp('r', I(MR), I(1), `
        ${set('row', add(L('p'), L('r')))}
        (if (i32.lt_s ${L('row')} ${L('mc')})
          (then
            ${set('src', add(L('a'), bytes(add(mul(add(L('i0'), L('row')), L('si')), mul(L('k0'), L('sk'))))))}
            ${forUp('k', L('kc'), I(1), `
              (f32.store ${dstAt(L('k'), L('r'))} (f32.load ${L('src')}))
              ${set('src', add(L('src'), bytes(L('sk'))))}`)})
          (else
            ${forUp('k', L('kc'), I(1), `(f32.store ${dstAt(L('k'), L('r'))} (f32.const 0))`, 'kz')}))`)}
      ${set('dst', add(L('dst'), mul(L('kc'), I(MR * 4))))}`)})`;
}

function packB({ NV }) {
  const NR = 4 * NV;
  const dstAt = (k, c) => add(L('dst'), bytes(add(mul(k, I(NR)), c)));
  const vectorCopy = Array.from({ length: NV }, (_, v) => `(v128.store offset=${16 * v} ${add(L('dst'), mul(L('k'), I(NR * 4)))} (v128.load offset=${16 * v} ${L('src')}))`).join('\n            ');
  return `
  ;; Rows k0 .. k0+kc-1, columns j0 .. j0+nc-1 of B into panels of NR columns: for each k the NR values (0 past nc).
  (func $packB (param $b i32) (param $sk i32) (param $sj i32) (param $k0 i32) (param $j0 i32)
               (param $kc i32) (param $nc i32) (param $dst i32)
    (local $q i32) (local $k i32) (local $c i32) (local $col i32) (local $src i32)
    ${forUp('q', L('nc'), I(NR), `
      (if (i32.and (i32.eq ${L('sj')} ${I(1)}) (i32.le_s ${add(L('q'), I(NR))} ${L('nc')}))
        (then
          ${set('src', add(L('b'), bytes(add(mul(L('k0'), L('sk')), add(L('j0'), L('q'))))))}
          ${forUp('k', L('kc'), I(1), `
            ${vectorCopy}
            ${set('src', add(L('src'), bytes(L('sk'))))}`)})
        (else
          ${forUp('c', I(NR), I(1), `
            ${set('col', add(L('q'), L('c')))}
            (if (i32.lt_s ${L('col')} ${L('nc')})
              (then
                ${set('src', add(L('b'), bytes(add(mul(L('k0'), L('sk')), mul(add(L('j0'), L('col')), L('sj'))))))}
                ${forUp('k', L('kc'), I(1), `
                  (f32.store ${dstAt(L('k'), L('c'))} (f32.load ${L('src')}))
                  ${set('src', add(L('src'), bytes(L('sk'))))}`, 'kg')})
              (else
                ${forUp('k', L('kc'), I(1), `(f32.store ${dstAt(L('k'), L('c'))} (f32.const 0))`, 'kz')}))`)}))
      ${set('dst', add(L('dst'), mul(L('kc'), I(NR * 4))))}`)})`;
}

/**
 * A register tile of `rows` x NR: `rows` rows of A read at a stride of `aStride` floats per k (MR for a full
 * panel; the one-row tile walks one row of an MR panel), stored in place when it is whole, else through `tmp`.
 */
function tile(name, rows, aStride, { NV }) {
  const NR = 4 * NV;
  const acc = (r, v) => `c${r}_${v}`;
  const locals = [];
  for (let r = 0; r < rows; r++) for (let v = 0; v < NV; v++) locals.push(`(local $${acc(r, v)} v128)`);
  for (let v = 0; v < NV; v++) locals.push(`(local $b${v} v128)`);
  const step = [];
  for (let v = 0; v < NV; v++) step.push(set(`b${v}`, `(v128.load offset=${16 * v} ${L('bp')})`));
  for (let r = 0; r < rows; r++) {
    step.push(set('x', `(v128.load32_splat offset=${4 * r} ${L('ap')})`));
    for (let v = 0; v < NV; v++) step.push(set(acc(r, v), `(f32x4.add ${L(acc(r, v))} (f32x4.mul ${L('x')} ${L(`b${v}`)}))`));
  }
  const tmpStores = [];
  for (let r = 0; r < rows; r++) for (let v = 0; v < NV; v++) tmpStores.push(`(v128.store offset=${4 * (r * NR + 4 * v)} ${L('tmp')} ${L(acc(r, v))})`);
  const rowsOf = (each) => {
    const out = [];
    for (let r = 0; r < rows; r++) {
      for (let v = 0; v < NV; v++) out.push(each(r, v));
      if (r < rows - 1) out.push(set('dst', add(L('dst'), L('ld'))));
    }
    return out.join('\n        ');
  };
  return `
  ;; C[0 .. ${rows}, 0 .. cols] (row stride ldc) = (acc ? C : 0) + A tile (${rows} x kc) · B panel (kc x ${NR}).
  (func $${name} (param $kc i32) (param $ap i32) (param $bp i32) (param $c i32) (param $ldc i32)
               (param $acc i32) (param $cols i32) (param $tmp i32)
    ${locals.join(' ')} (local $x v128) (local $k i32)
    (local $j i32) (local $dst i32) (local $ld i32)
    ${set('k', L('kc'))}
    (block $k_end (loop $k_loop
      (br_if $k_end (i32.eqz ${L('k')}))
      ${step.join('\n      ')}
      ${set('ap', add(L('ap'), I(aStride * 4)))}
      ${set('bp', add(L('bp'), I(NR * 4)))}
      ${set('k', sub(L('k'), I(1)))}
      (br $k_loop)))
    ${set('ld', bytes(L('ldc')))}
    ${set('dst', L('c'))}
    (if (i32.eq ${L('cols')} ${I(NR)})
      (then
        (if ${L('acc')} (then
          ${rowsOf((r, v) => set(acc(r, v), `(f32x4.add ${L(acc(r, v))} (v128.load offset=${16 * v} ${L('dst')}))`))}
          ${set('dst', L('c'))}))
        ${rowsOf((r, v) => `(v128.store offset=${16 * v} ${L('dst')} ${L(acc(r, v))})`)})
      (else
        ${tmpStores.join('\n        ')}
        ${Array.from({ length: rows }, (_, r) => `
        ${forUp('j', L('cols'), I(1), `
          (f32.store ${add(L('dst'), bytes(L('j')))}
            (if (result f32) ${L('acc')}
              (then (f32.add (f32.load ${add(L('dst'), bytes(L('j')))}) (f32.load offset=${4 * r * NR} ${add(L('tmp'), bytes(L('j')))})))
              (else (f32.load offset=${4 * r * NR} ${add(L('tmp'), bytes(L('j')))}))))`, `j${r}`)}
        ${set('dst', add(L('dst'), L('ld')))}`).join('')})))`;
}

function driver({ MR, NV, KC, MC, NC }) {
  const NR = 4 * NV;
  const ncPadded = Math.ceil(NC / NR) * NR;
  const cAt = (row) => add(L('c'), bytes(add(mul(row, L('ldc')), add(L('jc'), L('jr')))));
  return `
  (func (export "sgemm") (param $M i32) (param $N i32) (param $K i32)
        (param $a i32) (param $asi i32) (param $ask i32) (param $b i32) (param $bsk i32) (param $bsj i32)
        (param $c i32) (param $ldc i32) (param $ws i32)
    (local $jc i32) (local $pc i32) (local $ic i32) (local $jr i32) (local $ir i32) (local $r i32)
    (local $nc i32) (local $kc i32) (local $mc i32) (local $ap i32) (local $bp i32) (local $tmp i32)
    (local $bpj i32) (local $cols i32) (local $rows i32) (local $acc i32)
    ${set('ap', L('ws'))}
    ${set('bp', add(L('ws'), I(MC * KC * 4)))}
    ${set('tmp', add(L('bp'), I(KC * ncPadded * 4)))}
    ${forUp('jc', L('N'), L('nc'), `
      ${set('nc', min(sub(L('N'), L('jc')), I(NC)))}
      ${forUp('pc', L('K'), L('kc'), `
        ${set('kc', min(sub(L('K'), L('pc')), I(KC)))}
        ${set('acc', `(i32.gt_s ${L('pc')} ${I(0)})`)}
        (call $packB ${L('b')} ${L('bsk')} ${L('bsj')} ${L('pc')} ${L('jc')} ${L('kc')} ${L('nc')} ${L('bp')})
        ${forUp('ic', L('M'), I(MC), `
          ${set('mc', min(sub(L('M'), L('ic')), I(MC)))}
          (call $packA ${L('a')} ${L('asi')} ${L('ask')} ${L('ic')} ${L('pc')} ${L('mc')} ${L('kc')} ${L('ap')})
          ${forUp('jr', L('nc'), I(NR), `
            ${set('bpj', add(L('bp'), bytes(mul(L('jr'), L('kc')))))}
            ${set('cols', min(sub(L('nc'), L('jr')), I(NR)))}
            ${forUp('ir', L('mc'), I(MR), `
              ${set('rows', min(sub(L('mc'), L('ir')), I(MR)))}
              (if (i32.eq ${L('rows')} ${I(MR)})
                (then (call $tileFull ${L('kc')} ${add(L('ap'), bytes(mul(L('ir'), L('kc'))))} ${L('bpj')}
                        ${cAt(add(L('ic'), L('ir')))} ${L('ldc')} ${L('acc')} ${L('cols')} ${L('tmp')}))
                (else ${forUp('r', L('rows'), I(1), `
                  (call $tileRow ${L('kc')} ${add(L('ap'), bytes(add(mul(L('ir'), L('kc')), L('r'))))} ${L('bpj')}
                    ${cAt(add(add(L('ic'), L('ir')), L('r')))} ${L('ldc')} ${L('acc')} ${L('cols')} ${L('tmp')})`)}))`)}`)}`)}`)}`)})`;
}

/** The module's text for the given tile and block sizes. */
export function simdGemmWat(shape = GEMM_SHAPE) {
  const { MR, MC } = shape;
  if (MC % MR !== 0) throw new Error(`simdGemmWat: MC (${MC}) must be a multiple of MR (${MR})`);
  return [
    '(module',
    '  (import "env" "memory" (memory 0))',
    packA(shape),
    packB(shape),
    tile('tileFull', MR, MR, shape),
    tile('tileRow', 1, MR, shape),
    driver(shape),
    ')',
    '',
  ].join('\n');
}
