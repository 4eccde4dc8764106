// Renders one camera frame of an audio-visual scene at the sensor's resolution: a lit wall
// and table, then each person far to near as a shaded head (an ellipsoid lit by one
// directional light plus ambient, with a specular sheen), ears, nose ridge, eyes that blink,
// brows, lips whose opening and spread follow face-state.ts, hair (textured strands, three
// styles), glasses, a hand over the mouth, neck and shoulders; then lens blur (Gaussian) and
// sensor noise (seeded per frame). Resolution independent: the scene is in fractions of the
// frame, so QQVGA, QVGA and VGA see the same picture.
import { rngFor } from "../room/prng.ts";
import { faceState, type FaceState } from "./face-state.ts";
import { SKIN_TONES, type AvScene, type Person } from "./scene.ts";

const HAIR_RGB: Record<string, [number, number, number]> = {
  black: [0.09, 0.08, 0.08],
  brown: [0.32, 0.2, 0.12],
  blonde: [0.78, 0.64, 0.4],
  grey: [0.62, 0.62, 0.6],
  red: [0.56, 0.24, 0.12],
};
const HEAD_ASPECT = 1.375; // head half-height / half-width

/** The frame at scene time t as RGB bytes (width x height x 3). `frameIndex` seeds the sensor noise. */
export function renderFrame(
  scene: AvScene,
  t: number,
  width: number,
  height: number,
  frameIndex: number,
): Uint8Array {
  const img = Float32Array.from(background(width, height));
  const order = scene.people
    .map((p, i) => i)
    .sort((a, b) => scene.people[a].box.hw - scene.people[b].box.hw);
  for (const i of order)
    drawPerson(img, width, height, scene, scene.people[i], faceState(scene.people[i], t));
  drawRoom(img, width, height, true); // the table in front of everyone
  const sigma = (scene.camera.blur * width) / 160;
  if (sigma > 0.2) gaussianBlur(img, width, height, sigma);
  const out = new Uint8Array(width * height * 3);
  // Sensor noise: a sum of four uniforms (near-Gaussian, variance 1) from a xorshift stream
  // seeded per frame; a full Box-Muller per pixel cost more than the rest of the frame.
  let x = rngFor(scene.seed, `camera frame ${frameIndex}`).below(0x7fffffff) | 1;
  const gain = scene.camera.exposure * 255;
  const amp = (scene.camera.noise * Math.sqrt(3)) / 2 ** 31;
  for (let k = 0; k < out.length; k++) {
    let u = 0;
    for (let j = 0; j < 4; j++) {
      x ^= x << 13;
      x ^= x >>> 17;
      x ^= x << 5;
      u += x;
    }
    const v = img[k] * gain + amp * (u / 2);
    out[k] = v <= 0 ? 0 : v >= 255 ? 255 : Math.round(v);
  }
  return out;
}

const backgrounds = new Map<string, Float32Array>();

/** The empty room at this size (computed once per size). */
function background(w: number, h: number): Float32Array {
  let b = backgrounds.get(`${w}x${h}`);
  if (!b) {
    b = new Float32Array(w * h * 3);
    drawRoom(b, w, h, false);
    backgrounds.set(`${w}x${h}`, b);
  }
  return b;
}

function drawRoom(img: Float32Array, w: number, h: number, tableOnly: boolean): void {
  for (let y = tableOnly ? Math.floor(0.86 * h) : 0; y < h; y++) {
    const fy = y / h;
    for (let x = 0; x < w; x++) {
      const fx = x / w;
      const k = 3 * (y * w + x);
      // A wall lit from the upper left, falling off towards the corners; a table at the bottom.
      const light = 0.8 - 0.25 * Math.hypot(fx - 0.3, fy - 0.2);
      if (fy > 0.86) {
        const edge = fy < 0.875 ? 1.25 : 1;
        img[k] = 0.42 * light * edge;
        img[k + 1] = 0.3 * light * edge;
        img[k + 2] = 0.2 * light * edge;
      } else {
        img[k] = 0.74 * light;
        img[k + 1] = 0.72 * light;
        img[k + 2] = 0.66 * light;
      }
    }
  }
}

function put(img: Float32Array, k: number, r: number, g: number, b: number): void {
  img[k] = r;
  img[k + 1] = g;
  img[k + 2] = b;
}

function drawPerson(
  img: Float32Array,
  w: number,
  h: number,
  scene: AvScene,
  p: Person,
  s: FaceState,
): void {
  const { light, ambient } = scene.camera;
  const ln = Math.hypot(...light);
  const [lx, ly, lz] = [light[0] / ln, light[1] / ln, light[2] / ln];
  const scale = p.box.hw * w; // pixels per head half-width
  const cx = p.box.cx * w + s.dx * scale,
    cy = p.box.cy * h + s.dy * scale;
  const skin = SKIN_TONES[p.skin].map((c) => c / 255);
  const hair = HAIR_RGB[p.hair];
  const shirt = p.shirt.map((c) => c / 255);
  const yawA = (s.yaw * Math.PI) / 2;
  const shift = 0.95 * Math.sin(yawA); // features slide towards the turned side
  const squeeze = Math.max(0.15, Math.cos(yawA));
  const x0 = Math.max(0, Math.floor(cx - 2.8 * scale)),
    x1 = Math.min(w, Math.ceil(cx + 2.8 * scale));
  const y0 = Math.max(0, Math.floor(cy - 1.7 * scale)),
    y1 = h;
  const lit = (x: number, y: number, z: number): [number, number] => {
    const n = Math.hypot(x, y, z) || 1;
    const nx = x / n,
      ny = y / n,
      nz = z / n;
    const d = Math.max(0, nx * lx + ny * ly + nz * lz);
    const rz = 2 * d * nz - lz; // reflected light towards the camera
    return [ambient + (1 - ambient) * d, rz > 0 ? 0.05 * rz ** 24 : 0];
  };
  for (let py = y0; py < y1; py++) {
    for (let px = x0; px < x1; px++) {
      const u = (px + 0.5 - cx) / scale,
        v = (py + 0.5 - cy) / scale;
      const k = 3 * (py * w + px);
      const e = u * u + (v / HEAD_ASPECT) ** 2; // < 1 inside the head
      // Shoulders and neck (behind the head).
      if (e >= 1) {
        if (v > 1.75 && Math.abs(u) < Math.min(2.7, 1.1 + (v - 1.75) * 3)) {
          const [sh] = lit(Math.max(-1, Math.min(1, u / 2.6)), 0.3, 0.8);
          put(img, k, shirt[0] * sh, shirt[1] * sh, shirt[2] * sh);
          continue;
        }
        if (v > 0.9 && v <= 1.9 && Math.abs(u) < 0.42) {
          const [sh] = lit((u / 0.42) * 0.7, 0.1, 0.7);
          put(img, k, skin[0] * sh * 0.78, skin[1] * sh * 0.78, skin[2] * sh * 0.78);
          continue;
        }
        // Long hair falls behind the shoulders; ears.
        if (p.hairStyle === "long" && Math.abs(u) < 1.22 && v > -0.6 && v < 1.55 && e < 2.6) {
          const strand = 0.8 + 0.2 * Math.sin(u * 37 + Math.sin(v * 6) * 2);
          const [sh] = lit(u / 1.3, -v / 2, 0.6);
          put(img, k, hair[0] * sh * strand, hair[1] * sh * strand, hair[2] * sh * strand);
          continue;
        }
        const earU = (Math.abs(u - shift * 0.3) - 1.0 * squeeze - 0.02) / 0.13,
          earV = (v - 0.08) / 0.24;
        if (earU * earU + earV * earV < 1 && s.yaw < 0.9) {
          const [sh] = lit(Math.sign(u) * 0.8, -0.1, 0.5);
          put(img, k, skin[0] * sh * 0.92, skin[1] * sh * 0.85, skin[2] * sh * 0.85);
          continue;
        }
        // Hair volume beyond the skull outline.
        if (p.hairStyle !== "bald" && u * u + ((v + 0.12) / 1.45) ** 2 < 1.1 * 1.1 && v < -0.05) {
          const strand = 0.8 + 0.2 * Math.sin(u * 37 + Math.sin(v * 6) * 2);
          const [sh] = lit(u / 1.1, -(v + 0.12) / 1.6, 0.5);
          put(img, k, hair[0] * sh * strand, hair[1] * sh * strand, hair[2] * sh * strand);
        }
        continue;
      }
      // Inside the head: an ellipsoid's normal.
      let nx = u;
      const ny = -v / HEAD_ASPECT;
      const nz = Math.sqrt(Math.max(0, 1 - e));
      // Face coordinates: the features turn with the head.
      const fu = (u - shift) / squeeze;
      const faceVisible =
        Math.abs(fu) * squeeze < Math.sqrt(Math.max(0, 1 - (v / HEAD_ASPECT) ** 2)) * 0.97;
      // Hair on the head: above the hairline, and over the face as the head turns away.
      const hairline = -0.55 + 0.3 * fu * fu;
      const backOfHead = s.yaw > 0.35 && u < shift - 1.0 * squeeze - 0.05;
      if (
        p.hairStyle !== "bald" &&
        (v < hairline || backOfHead || (p.hairStyle === "long" && Math.abs(fu) > 0.86 && v < 0.7))
      ) {
        const strand = 0.8 + 0.2 * Math.sin(u * 37 + Math.sin(v * 6) * 2);
        const [sh, sp] = lit(nx, ny, nz);
        put(
          img,
          k,
          hair[0] * sh * strand + sp,
          hair[1] * sh * strand + sp,
          hair[2] * sh * strand + sp,
        );
        continue;
      }
      let r = skin[0],
        g = skin[1],
        b = skin[2];
      let flat = false; // colours that are not lit as skin (eye whites, mouth interior)
      if (faceVisible) {
        // Nose ridge: the normal tilts sideways, so one side catches the light.
        if (Math.abs(fu) < 0.1 && v > -0.12 && v < 0.3) nx += (fu / 0.1) * 0.7;
        if (((Math.abs(fu) - 0.07) / 0.04) ** 2 + ((v - 0.3) / 0.025) ** 2 < 1) {
          r *= 0.45;
          g *= 0.4;
          b *= 0.4;
        }
        // Cheeks slightly warmer.
        if (((Math.abs(fu) - 0.5) / 0.22) ** 2 + ((v - 0.25) / 0.16) ** 2 < 1) {
          r *= 1.03;
          g *= 0.96;
          b *= 0.96;
        }
        // Eye sockets, eyes, brows.
        const eu = Math.abs(fu) - 0.36,
          ev = v + 0.1;
        if ((eu / 0.24) ** 2 + (ev / 0.14) ** 2 < 1) {
          r *= 0.88;
          g *= 0.86;
          b *= 0.86;
        }
        if (Math.abs(ev + 0.17 - 0.25 * eu * eu) < 0.035 && Math.abs(eu) < 0.2) {
          r = hair[0] * 1.1;
          g = hair[1] * 1.1;
          b = hair[2] * 1.1;
        }
        const lid = 0.075 * s.eyes;
        if (lid > 0.008 && (eu / 0.16) ** 2 + (ev / lid) ** 2 < 1) {
          const iris = (eu - 0.01 * s.dx) ** 2 + ev * ev < 0.062 ** 2;
          if (iris) {
            r = 0.22;
            g = 0.14;
            b = 0.09;
          } else {
            r = 0.86;
            g = 0.84;
            b = 0.8;
          }
          if (eu * eu + ev * ev < 0.025 ** 2) {
            r = g = b = 0.03;
          }
        } else if (lid <= 0.008 && Math.abs(ev) < 0.012 && Math.abs(eu) < 0.16) {
          r *= 0.5;
          g *= 0.45;
          b *= 0.45;
        }
        // Mouth: lips around a dark opening, corners lifted by a smile.
        const mw = 0.25 * (0.85 + 0.35 * s.spread),
          mh = 0.012 + 0.2 * s.open * (1 - 0.35 * s.spread);
        const mu = fu / mw;
        const mv = v - 0.52 + 0.07 * s.smile * mu * mu;
        if (mu * mu + (mv / (mh + 0.05)) ** 2 < 1 && Math.abs(mu) < 1.1) {
          if (mu * mu + (mv / mh) ** 2 < 1) {
            flat = true;
            const teeth = s.open > 0.25 && mv < -mh + 0.045;
            if (teeth) {
              r = 0.85;
              g = 0.82;
              b = 0.74;
            } else {
              r = 0.16;
              g = 0.05;
              b = 0.05;
            }
          } else {
            r *= 0.82;
            g *= 0.5;
            b *= 0.52;
          }
        }
        // A hand over the mouth (the palm towards the camera, fingers as darker seams).
        if (s.hand && ((fu - 0.05) / 0.5) ** 2 + ((v - 0.55) / 0.34) ** 2 < 1) {
          const seam = Math.abs(((v - 0.3) / 0.11) % 1) < 0.12;
          r = skin[0] * (seam ? 0.75 : 1.02);
          g = skin[1] * (seam ? 0.7 : 0.97);
          b = skin[2] * (seam ? 0.7 : 0.95);
          nx = (fu - 0.05) * 0.6;
        }
        // Glasses: frames around the eyes and a bridge.
        if (p.glasses) {
          const ring = (eu / 0.22) ** 2 + (ev / 0.15) ** 2;
          if ((ring > 0.78 && ring < 1) || (Math.abs(fu) < 0.14 && Math.abs(ev + 0.02) < 0.018)) {
            r = g = b = 0.06;
            flat = true;
          } else if (ring <= 0.78) {
            r = r * 0.92 + 0.05;
            g = g * 0.92 + 0.05;
            b = b * 0.92 + 0.07;
          }
        }
      }
      const [sh, sp] = lit(Math.max(-1, Math.min(1, nx)), ny, nz);
      const lum = flat ? 0.6 + 0.4 * sh : sh;
      put(img, k, r * lum + sp, g * lum + sp, b * lum + sp);
    }
  }
}

function gaussianBlur(img: Float32Array, w: number, h: number, sigma: number): void {
  const rad = Math.ceil(2.5 * sigma);
  const kern = new Float32Array(2 * rad + 1);
  let sum = 0;
  for (let i = -rad; i <= rad; i++) sum += kern[i + rad] = Math.exp(-(i * i) / (2 * sigma * sigma));
  for (let i = 0; i < kern.length; i++) kern[i] /= sum;
  // One line at a time (a row, or a column per channel), edge pixels repeated.
  const line = new Float32Array(Math.max(w, h) + 2 * rad);
  const blurLine = (n: number, base: number, stride: number) => {
    for (let i = 0; i < n + 2 * rad; i++)
      line[i] = img[base + stride * Math.min(n - 1, Math.max(0, i - rad))];
    for (let i = 0, at = base; i < n; i++, at += stride) {
      let acc = 0;
      for (let j = 0; j < kern.length; j++) acc += kern[j] * line[i + j];
      img[at] = acc;
    }
  };
  for (let y = 0; y < h; y++) for (let c = 0; c < 3; c++) blurLine(w, 3 * y * w + c, 3);
  for (let x = 0; x < w; x++) for (let c = 0; c < 3; c++) blurLine(h, 3 * x + c, 3 * w);
}
