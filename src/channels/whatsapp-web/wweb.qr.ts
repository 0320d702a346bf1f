import QRCode from 'qrcode';
import qrcodeTerminal from 'qrcode-terminal';

/**
 * Renders the WhatsApp linking code. The QR string logs the association's number in as a new
 * device, so it goes only to the operator's terminal (stderr) and the staff-only route, never to logs.
 */

/** Prints the QR code on stderr (stdout may be a machine protocol, as in the console channel). */
export function printQrToTerminal(qr: string, out: NodeJS.WritableStream = process.stderr): void {
  qrcodeTerminal.generate(qr, { small: true }, (drawing) => {
    out.write(`Scan this code in WhatsApp (Linked devices → Link a device):\n${drawing}\n`);
  });
}

/** The QR code as a PNG image for the staff page. */
export function qrToPng(qr: string): Promise<Buffer> {
  return QRCode.toBuffer(qr, { type: 'png', margin: 2, width: 320, errorCorrectionLevel: 'M' });
}
