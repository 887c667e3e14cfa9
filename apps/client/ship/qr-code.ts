import { writeFileSync } from 'node:fs';
import jpeg from 'jpeg-js';
import jsQR from 'jsqr';
import { PNG } from 'pngjs';
import QRCode from 'qrcode';

const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47]);

/** What a QR code image (PNG or JPEG, as WeChat's preview sends it) says. */
export function readQrCode(image: Buffer): string {
  const { data, width, height } = image.subarray(0, 4).equals(PNG_SIGNATURE)
    ? PNG.sync.read(image)
    : jpeg.decode(image, { useTArray: true, formatAsRGBA: true });
  const found = jsQR(new Uint8ClampedArray(data.buffer, data.byteOffset, data.byteLength), width, height);
  if (!found) throw new Error('no QR code found in the preview image');
  return found.data;
}

/** Writes `content` as a QR code PNG and returns it drawn for a terminal. */
export async function writeQrCode(content: string, pngPath: string): Promise<string> {
  writeFileSync(
    pngPath,
    await QRCode.toBuffer(content, { type: 'png', errorCorrectionLevel: 'M', margin: 2, width: 430 }),
  );
  return QRCode.toString(content, { type: 'terminal', small: true, errorCorrectionLevel: 'M' });
}
