declare module 'element-plus/es/locale/lang/zh-cn' {
  import type { Language } from 'element-plus/es/locale';
  const zhCn: Language;
  export default zhCn;
}
