// The camera set-up: the full QVGA field, 320x240, 150 KB in RGB565 (75 KB grey), on every
// board; the firmware crops its centre 240x240 and shrinks it 2.5x to 96x96. The model needs
// about 132 KB of heap for VWW (TFLM's arena_used_bytes: its 63 KB head of tensors and
// scratch and its 69 KB tail of per-layer data; app.json reserves 168 KB with the app's own
// buffers), which leaves room for the QVGA buffer even in the MCX N947's 512 KB. (Until the
// engine kept per-channel data as TFLM does, it needed 336 KB and the MCX N947 read out only
// the centre 240x240 window of the field.)
// The frame is released as soon as the image pipeline has read it, so one buffer is enough:
// the sensor fills it again while the model runs.
export const FRAME_WIDTH: u32 = 320;
export const FRAME_HEIGHT: u32 = 240;
export const FRAME_FPS: u32 = 30;
