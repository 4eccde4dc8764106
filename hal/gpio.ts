// LEDs and pins (tinyboard:hal/gpio).
@external("tinyboard:hal/gpio@0.1.0", "led-count") export declare function ledCount(): u32;
@external("tinyboard:hal/gpio@0.1.0", "set-led") export declare function setLed(index: u32, on: bool): void;
@external("tinyboard:hal/gpio@0.1.0", "pin-write") export declare function pinWrite(pin: u32, high: bool): void;
@external("tinyboard:hal/gpio@0.1.0", "pin-read") export declare function pinRead(pin: u32): bool;
