// A phone photo is several megabytes; evidence of a door needs a fraction of
// that. Downscaled to 1280 px on the long side, as JPEG, before upload.
const MAX_SIDE = 1280;

export async function downscalePhoto(file: File): Promise<Blob> {
  const bitmap = await createImageBitmap(file);
  const scale = Math.min(1, MAX_SIDE / Math.max(bitmap.width, bitmap.height));
  const canvas = document.createElement("canvas");
  canvas.width = Math.round(bitmap.width * scale);
  canvas.height = Math.round(bitmap.height * scale);
  canvas.getContext("2d")?.drawImage(bitmap, 0, 0, canvas.width, canvas.height);
  bitmap.close();
  return new Promise((resolve, reject) =>
    canvas.toBlob(
      (blob) => (blob ? resolve(blob) : reject(new Error("could not encode the photo"))),
      "image/jpeg",
      0.72,
    ),
  );
}
