/**
 * A canvas to draw a digit on with a mouse, a pen or a finger: white strokes on black, as MNIST's
 * digits are light on dark. `pixels()` reads it back as grayscale in [0, 1].
 */
export class DrawPad {
  private readonly context: CanvasRenderingContext2D;
  private last: { x: number; y: number } | null = null;

  /** `onStroke` runs when a stroke ends (the pointer is lifted). */
  constructor(
    private readonly canvas: HTMLCanvasElement,
    onStroke: () => void,
  ) {
    const context = canvas.getContext('2d', { willReadFrequently: true });
    if (!context) throw new Error('this browser gives no 2-D canvas to draw on');
    this.context = context;
    context.lineCap = 'round';
    context.lineJoin = 'round';
    context.strokeStyle = '#fff';
    // About a tenth of the canvas: strokes as thick, relative to the digit, as MNIST's.
    context.lineWidth = canvas.width / 14;
    this.clear();
    canvas.addEventListener('pointerdown', (event) => {
      canvas.setPointerCapture(event.pointerId);
      this.last = this.at(event);
      this.lineTo(this.last);
    });
    canvas.addEventListener('pointermove', (event) => {
      if (this.last) this.lineTo(this.at(event));
    });
    const end = () => {
      if (!this.last) return;
      this.last = null;
      onStroke();
    };
    canvas.addEventListener('pointerup', end);
    canvas.addEventListener('pointercancel', end);
  }

  clear(): void {
    this.context.fillStyle = '#000';
    this.context.fillRect(0, 0, this.canvas.width, this.canvas.height);
  }

  /** The canvas as grayscale pixels in [0, 1], row-major. */
  pixels(): Float32Array {
    const { width, height } = this.canvas;
    const rgba = this.context.getImageData(0, 0, width, height).data;
    const out = new Float32Array(width * height);
    for (let i = 0; i < out.length; i++) out[i] = rgba[4 * i]! / 255;
    return out;
  }

  /** A pointer position in canvas pixels (the canvas may be shown at another size). */
  private at(event: PointerEvent): { x: number; y: number } {
    const box = this.canvas.getBoundingClientRect();
    return { x: ((event.clientX - box.left) * this.canvas.width) / box.width, y: ((event.clientY - box.top) * this.canvas.height) / box.height };
  }

  private lineTo(point: { x: number; y: number }): void {
    const from = this.last ?? point;
    this.context.beginPath();
    this.context.moveTo(from.x, from.y);
    this.context.lineTo(point.x, point.y);
    this.context.stroke();
    this.last = point;
  }
}
