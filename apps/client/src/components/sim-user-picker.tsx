/**
 * The simulator user picker exists in the H5 development build only (`sim-user-picker.h5.tsx`,
 * chosen by Taro's per-platform file resolution); in the mini-program WeChat says who the user is.
 */
export function SimUserPicker(): null {
  return null;
}
