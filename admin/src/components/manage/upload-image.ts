import { type FieldErrors, request } from '../../request';

/**
 * Uploads a picked image as the library does (base64 in JSON: the API takes only JSON); the server
 * checks its type and size. Answers its file id and a temporary URL, or null (errors shown).
 */
export async function uploadImage(file: File, errors: FieldErrors) {
  const content = await new Promise<string>((resolve) => {
    const reader = new FileReader();
    reader.onload = () => resolve(String(reader.result).split(',')[1] ?? '');
    reader.readAsDataURL(file);
  });
  return request<{ fileId: string; imageUrl: string }>(
    'POST',
    '/library/images',
    { name: file.name, content },
    { errors },
  );
}
