// The face detector on the board (detector/net.ts trains it): the grey QVGA frame
// area-averaged over 4 x 4 blocks into the model's 80 x 60 int8 input (pixel - 128, the input
// quantisation the trainer fixes), one invoke, then the centroid grid decoded as
// detector/decode.ts does it: a cell whose objectness is at or above probability 0.5 and not
// below its 8 neighbours (ties to the cell scanned first) is a face, placed by the box head.
import { Interpreter } from "../../firmware/tflite/interpreter";
import { Tensor } from "../../firmware/tflite/tensor";
import { TYPE_INT8 } from "../../firmware/tflite/schema";

export const MAX_FACES: i32 = 8;
/** Head half-height over half-width in pixels (detector/frames.ts HEAD_ASPECT: a 16 x 22 cm head, square pixels). */
export const HEAD_ASPECT: f64 = 1.375;
const DOWN: i32 = 4;
const CELL: f32 = 16;

export class FaceDetector {
  readonly engine: Interpreter;
  error: string = "";
  count: i32 = 0;
  /** Centre and half width of each face found, in frame pixels. */
  readonly cx: StaticArray<f32> = new StaticArray<f32>(MAX_FACES);
  readonly cy: StaticArray<f32> = new StaticArray<f32>(MAX_FACES);
  readonly hw: StaticArray<f32> = new StaticArray<f32>(MAX_FACES);
  private inW: i32 = 0;
  private inH: i32 = 0;
  private gridW: i32 = 0;
  private gridH: i32 = 0;
  private objQ: i32 = 0; // the int8 objectness at or above which a cell is a face (logit 0)

  constructor(partition: string, frameW: i32, frameH: i32) {
    this.engine = Interpreter.fromPartition(partition);
    this.error = this.engine.ok ? this.check(frameW, frameH) : this.engine.error;
  }

  /** The model's shapes against the frame; "" when they fit, and the grid learnt. */
  private check(frameW: i32, frameH: i32): string {
    const input = this.engine.input(0);
    const obj = this.engine.output(0), box = this.engine.output(1);
    if (input.type != TYPE_INT8 || input.rank != 4 || input.dim(1) * DOWN != frameH || input.dim(2) * DOWN != frameW || input.dim(3) != 1)
      return "the detector's input must be int8 [1, frame height / 4, frame width / 4, 1]";
    if (obj.type != TYPE_INT8 || box.type != TYPE_INT8 || obj.rank != 4 || box.rank != 4 || obj.dim(3) != 1 || box.dim(3) != 3 || obj.dim(1) != box.dim(1) || obj.dim(2) != box.dim(2) || <f32>obj.dim(2) * CELL != <f32>frameW)
      return "the detector's outputs must be int8 objectness [1, h, w, 1] and box [1, h, w, 3] with 16-pixel cells";
    this.inW = input.dim(2); this.inH = input.dim(1);
    this.gridW = obj.dim(2); this.gridH = obj.dim(1);
    this.objQ = min(127, obj.zeroPoint);
    return "";
  }

  get ok(): bool {
    return this.error.length == 0;
  }

  /** Finds the faces of a grey frame (frame width = input width x 4). */
  detect(grey: usize): i32 {
    const input = this.engine.input(0);
    const frameW = this.inW * DOWN;
    for (let y = 0; y < this.inH; y++) {
      const row = grey + <usize>(y * DOWN * frameW);
      const dst = input.data + <usize>(y * this.inW);
      for (let x = 0; x < this.inW; x++) {
        let acc: i32 = 0;
        for (let dy = 0; dy < DOWN; dy++) {
          const p = row + <usize>(dy * frameW + x * DOWN);
          acc += <i32>load<u8>(p) + <i32>load<u8>(p, 1) + <i32>load<u8>(p, 2) + <i32>load<u8>(p, 3);
        }
        store<i8>(dst + <usize>x, <i8>((acc >> 4) - 128));
      }
    }
    this.engine.invoke();
    this.decode(this.engine.output(0), this.engine.output(1));
    return this.count;
  }

  private decode(obj: Tensor, box: Tensor): void {
    this.count = 0;
    const gw = this.gridW, gh = this.gridH;
    for (let gy = 0; gy < gh; gy++) {
      for (let gx = 0; gx < gw; gx++) {
        const i = gy * gw + gx;
        const v = <i32>load<i8>(obj.data + <usize>i);
        if (v < this.objQ) continue;
        let peak = true;
        for (let ny = gy - 1; ny <= gy + 1 && peak; ny++) {
          for (let nx = gx - 1; nx <= gx + 1; nx++) {
            if (ny < 0 || nx < 0 || ny >= gh || nx >= gw || (nx == gx && ny == gy)) continue;
            const j = ny * gw + nx;
            const u = <i32>load<i8>(obj.data + <usize>j);
            if (u > v || (u == v && j < i)) { peak = false; break; }
          }
        }
        if (!peak || this.count >= MAX_FACES) continue;
        const b = box.data + <usize>(3 * i);
        const dx = <f32>(<i32>load<i8>(b) - box.zeroPoint) * box.scale;
        const dy = <f32>(<i32>load<i8>(b, 1) - box.zeroPoint) * box.scale;
        const s = <f32>(<i32>load<i8>(b, 2) - box.zeroPoint) * box.scale;
        this.cx[this.count] = (<f32>gx + 0.5 + dx) * CELL;
        this.cy[this.count] = (<f32>gy + 0.5 + dy) * CELL;
        this.hw[this.count] = max<f32>(2, s * CELL);
        this.count++;
      }
    }
  }
}
