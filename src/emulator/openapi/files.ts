// im/v1/images and im/v1/files: multipart uploads.
import type { EmulatorCore } from '../core.ts';
import { newFileKey, newImageKey } from '../ids.ts';
import { ApiError, fieldValidation, multipartOf, ok, type RegisterApi } from './kit.ts';

const IMAGE_MAX_BYTES = 10 * 1024 * 1024;
const FILE_MAX_BYTES = 30 * 1024 * 1024;

export function registerFileApi(api: RegisterApi, core: EmulatorCore): void {
  api(
    'post',
    '/open-apis/im/v1/images',
    (req, res) => {
      const parts = multipartOf(req);
      const imageType = parts.find((p) => p.name === 'image_type')?.data.toString('utf8');
      if (!imageType || !['message', 'avatar'].includes(imageType)) throw fieldValidation('image_type', 'must be message or avatar');
      const image = parts.find((p) => p.name === 'image');
      if (!image) throw fieldValidation('image', 'is required');
      if (image.data.length === 0) throw new ApiError(400, 234010, 'File size can not be 0.');
      if (image.data.length > IMAGE_MAX_BYTES) throw new ApiError(400, 234006, 'The file size exceeds the limit (image ≤ 10 MB).');
      const key = newImageKey();
      core.files.set(key, { key, kind: 'image', name: image.filename ?? 'image', size: image.data.length, bytes: image.data, owner: 'app' });
      ok(res, { image_key: key });
    },
    { multipart: true },
  );

  api(
    'post',
    '/open-apis/im/v1/files',
    (req, res) => {
      const parts = multipartOf(req);
      const field = (name: string): string | undefined => parts.find((p) => p.name === name)?.data.toString('utf8');
      const fileType = field('file_type');
      if (!fileType || !['opus', 'mp4', 'pdf', 'doc', 'xls', 'ppt', 'stream'].includes(fileType)) throw fieldValidation('file_type', 'must be opus, mp4, pdf, doc, xls, ppt or stream');
      const fileName = field('file_name');
      if (!fileName) throw fieldValidation('file_name', 'is required');
      const file = parts.find((p) => p.name === 'file');
      if (!file) throw fieldValidation('file', 'is required');
      if (file.data.length === 0) throw new ApiError(400, 234010, 'File size can not be 0.');
      if (file.data.length > FILE_MAX_BYTES) throw new ApiError(400, 234006, 'The file size exceeds the limit (file ≤ 30 MB).');
      const key = newFileKey();
      core.files.set(key, { key, kind: 'file', name: fileName, size: file.data.length, bytes: file.data, owner: 'app', fileType });
      ok(res, { file_key: key });
    },
    { multipart: true },
  );
}
