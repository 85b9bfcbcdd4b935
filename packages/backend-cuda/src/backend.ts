import { MathBackendCPU } from '@tensorflow/tfjs-backend-cpu';
import {
  type BackendTimingInfo,
  type BackendValues,
  type DataId,
  DataStorage,
  type DataType,
  engine,
  KernelBackend,
  type TensorInfo,
  util,
} from '@tensorflow/tfjs-core';
import { type CudaAddon, type CudaDevice, type CudaMemory, DTYPE_CODE } from './addon.js';

/** A tensor's storage: a device block, or host values for dtypes the device does not hold (string). */
interface GpuData {
  pointer: number;
  dtype: DataType;
  size: number;
  refCount: number;
  host?: BackendValues;
}

/** A typed array of `dtype`'s device representation (bool as int32). */
function deviceArray(dtype: DataType, size: number): Float32Array | Int32Array {
  return dtype === 'float32' ? new Float32Array(size) : new Int32Array(size);
}

function toDevice(values: BackendValues, dtype: DataType): Float32Array | Int32Array {
  if (dtype === 'float32')
    return values instanceof Float32Array ? values : Float32Array.from(values as ArrayLike<number>);
  return values instanceof Int32Array ? values : Int32Array.from(values as ArrayLike<number>);
}

/**
 * The `'cuda'` tfjs backend: every tensor lives in device memory, kernels
 * are queued on one CUDA stream and nothing waits for the GPU until values
 * are read. A kernel without a GPU version (see {@link cudaKernelCalls})
 * runs on tfjs' cpu kernels: its inputs are copied to the host and its
 * outputs back, with a warning the first time.
 */
export class CudaBackend extends KernelBackend {
  private readonly data = new DataStorage<GpuData>(this, engine());
  /** Runs the kernels that have no GPU version. */
  private readonly cpu = new MathBackendCPU();

  constructor(
    /** The addon's functions; kernel families add their own (kernels/*.ts). */
    readonly addon: CudaAddon,
  ) {
    super();
    (this.cpu as unknown as { firstUse: boolean }).firstUse = false;
  }

  /** The GPU (or the emulator) the backend runs on. */
  get device(): CudaDevice {
    return this.addon.device();
  }

  private store(values: BackendValues | null, shape: number[], dtype: DataType, refCount: number): GpuData {
    if (dtype === 'complex64') throw new Error('cuda: complex64 tensors are not supported');
    const size = util.sizeFromShape(shape);
    if (dtype === 'string') return { pointer: 0, dtype, size, refCount, host: values ?? [] };
    const pointer = this.addon.allocate(Math.max(size, 1) * 4);
    if (values) this.addon.upload(pointer, toDevice(values, dtype));
    return { pointer, dtype, size, refCount };
  }

  override write(values: BackendValues, shape: number[], dtype: DataType): DataId {
    const dataId = {};
    this.data.set(dataId, this.store(values, shape, dtype, 1));
    return dataId;
  }

  override move(dataId: DataId, values: BackendValues, shape: number[], dtype: DataType, refCount: number): void {
    this.data.set(dataId, this.store(values, shape, dtype, refCount));
  }

  /**
   * A new tensor of `shape` on the device; its memory is uninitialized unless
   * `values` are given (a kernel writes every element of its outputs).
   */
  makeOutput(shape: number[], dtype: DataType, values?: BackendValues): TensorInfo {
    const dataId = {};
    this.data.set(dataId, this.store(values ?? null, shape, dtype, 1));
    return { dataId, shape, dtype };
  }

  makeTensorInfo(shape: number[], dtype: DataType, values?: BackendValues): TensorInfo {
    return this.makeOutput(shape, dtype, values);
  }

  /** The device address of a tensor's data, for the addon's functions. */
  pointer(tensor: TensorInfo): number {
    const info = this.data.get(tensor.dataId);
    if (!info || info.host)
      throw new Error(`cuda: no device data for a ${tensor.dtype} tensor of shape [${tensor.shape}]`);
    return info.pointer;
  }

  override readSync(dataId: DataId): BackendValues {
    const info = this.data.get(dataId);
    if (info.host) return info.host;
    const values = deviceArray(info.dtype, info.size);
    this.addon.download(info.pointer, values);
    return info.dtype === 'bool' ? Uint8Array.from(values) : values;
  }

  override async read(dataId: DataId): Promise<BackendValues> {
    return this.readSync(dataId);
  }

  override refCount(dataId: DataId): number {
    return this.data.has(dataId) ? this.data.get(dataId).refCount : 0;
  }

  override incRef(dataId: DataId): void {
    this.data.get(dataId).refCount++;
  }

  override disposeData(dataId: DataId, force = false): boolean {
    if (!this.data.has(dataId)) return true;
    const info = this.data.get(dataId);
    info.refCount--;
    if (!force && info.refCount > 0) return false;
    if (!info.host) this.addon.release(info.pointer);
    this.data.delete(dataId);
    return true;
  }

  override numDataIds(): number {
    return this.data.numDataIds();
  }

  override memory(): { unreliable: boolean; numBytesInGPU: number } & CudaMemory {
    const memory = this.addon.memory();
    return { unreliable: false, numBytesInGPU: memory.liveBytes, ...memory };
  }

  override timerAvailable(): boolean {
    return true;
  }

  override async time(f: () => void): Promise<BackendTimingInfo> {
    this.addon.synchronize();
    const start = performance.now();
    f();
    this.addon.synchronize();
    return { kernelMs: performance.now() - start };
  }

  override floatPrecision(): 32 {
    return 32;
  }

  override epsilon(): number {
    return 1e-7;
  }

  override dispose(): void {
    this.addon.synchronize();
  }

  /**
   * Runs tfjs' cpu kernel for a call the GPU does not take: the inputs are
   * downloaded into a private cpu backend, the outputs uploaded.
   */
  runOnCpu(
    kernelFunc: (args: { inputs: unknown; backend: MathBackendCPU; attrs: unknown }) => TensorInfo | TensorInfo[],
    inputs: unknown,
    attrs: unknown,
  ): TensorInfo | TensorInfo[] {
    const copies = new Map<DataId, DataId>();
    const toCpu = (t: TensorInfo | null | undefined) => {
      if (!t) return t;
      let id = copies.get(t.dataId);
      if (!id) {
        id = this.cpu.write(this.readSync(t.dataId), t.shape, t.dtype);
        copies.set(t.dataId, id);
      }
      return { ...t, dataId: id };
    };
    const cpuInputs = Array.isArray(inputs)
      ? inputs.map(toCpu)
      : Object.fromEntries(Object.entries(inputs as Record<string, TensorInfo>).map(([k, t]) => [k, toCpu(t)]));
    const result = kernelFunc({ inputs: cpuInputs, backend: this.cpu, attrs });
    const outputs = (Array.isArray(result) ? result : [result]).map((out) => {
      const values = this.cpu.readSync(out.dataId);
      return { out, gpu: this.makeOutput(out.shape, out.dtype, values) };
    });
    for (const id of copies.values()) this.cpu.disposeData(id, true);
    for (const { out } of outputs) this.cpu.disposeData(out.dataId, true);
    const gpu = outputs.map((o) => o.gpu);
    return Array.isArray(result) ? gpu : (gpu[0] as TensorInfo);
  }
}

/** The addon's dtype code for a tensor (bool is stored as int32 0/1). */
export function dtypeCode(dtype: DataType): number {
  const code = DTYPE_CODE[dtype as keyof typeof DTYPE_CODE];
  if (code === undefined) throw new Error(`cuda: no device representation for ${dtype}`);
  return code;
}
