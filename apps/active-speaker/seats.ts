// The fixed seat regions of a meeting-room camera: each seat's head box as fractions of the
// frame (centre x, centre y, half width, half height), measured once for the room. These are
// the two seats of scenes/demo.json (ana at 14 degrees left, 1.6 m; ben at 14 degrees right,
// 1.7 m; camera 62 degrees wide at 1.1 m). A face detector in place of fixed seats is not
// built yet.
export const SEATS: i32 = 2;
export const SEAT_NAMES: StaticArray<string> = ["ana", "ben"];
export const SEAT_BOX: StaticArray<f64> = [
  0.2925, 0.4643, 0.0429, 0.0786,
  0.7075, 0.4664, 0.0404, 0.0740,
];
