// The confirmation step before an action a merchant should not take by accident (disconnecting an
// integration, holding passports back, changing the primary): an App Bridge modal that says what
// will happen and what is kept, with the action itself as its primary button, and Cancel.
import { Modal, TitleBar } from "@shopify/app-bridge-react";
import { BlockStack, Box, Button } from "@shopify/polaris";
import { useState, type ReactNode } from "react";

export interface ConfirmModalProps {
  /** Unique on the page (App Bridge finds modals by id). */
  id: string;
  open: boolean;
  title: string;
  /** The primary button: the action itself ("Disconnect"), never "OK". */
  confirmLabel: string;
  /** The action removes, stops or unpublishes something: its button is critical (red). */
  destructive?: boolean;
  /** Confirming is not possible yet (what it would do is still being worked out, or could not be). */
  confirmDisabled?: boolean;
  onConfirm(): void;
  onClose(): void;
  /** What will happen and what is kept. */
  children: ReactNode;
}

export function ConfirmModal({ id, open, title, confirmLabel, destructive, confirmDisabled, onConfirm, onClose, children }: ConfirmModalProps) {
  return (
    <Modal id={id} open={open} onHide={onClose}>
      <Box padding="400">
        <BlockStack gap="300">{children}</BlockStack>
      </Box>
      <TitleBar title={title}>
        <button variant="primary" tone={destructive ? "critical" : undefined} disabled={confirmDisabled} onClick={onConfirm}>
          {confirmLabel}
        </button>
        <button onClick={onClose}>Cancel</button>
      </TitleBar>
    </Modal>
  );
}

export interface ConfirmButtonProps extends Omit<ConfirmModalProps, "open" | "onClose" | "onConfirm"> {
  /** The button on the page; it only opens the confirmation (it submits nothing). */
  label: string;
  disabled?: boolean;
  onConfirm(): void;
}

/** A button that asks first: a click opens the confirmation, and only its primary button acts. */
export function ConfirmButton({ label, disabled, onConfirm, ...modal }: ConfirmButtonProps) {
  const [open, setOpen] = useState(false);
  return (
    <>
      <Button tone={modal.destructive ? "critical" : undefined} disabled={disabled} onClick={() => setOpen(true)}>
        {label}
      </Button>
      <ConfirmModal
        {...modal}
        open={open}
        onClose={() => setOpen(false)}
        onConfirm={() => {
          setOpen(false);
          onConfirm();
        }}
      />
    </>
  );
}
